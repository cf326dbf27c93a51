"""Installs into many workspaces and a Grid org, end to end against the fake Slack.

A browser's path: GET /slack/install (state cookie, redirect to Slack's authorize page), the
fake's "Allow" (a redirect back with a code), GET /slack/oauth_redirect (Bolt exchanges the
code with oauth.v2.access and stores the install in copbot's database). Then each workspace is
spoken to with its own token, and uninstalling or revoking stops delivery there.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import aiohttp
import pytest
from sqlmodel import select

from bot import privacy
from bot.clock import FrozenClock
from bot.delivery import notify_member
from bot.messages import Reply
from bot.registry import Registry
from storage import outbox, people
from storage.db import Database
from storage.tables.slack_installs import SlackInstallation
from tests.slack.driver import SlackDriver, signed_headers

COOKIE = "slack-app-oauth-state"
_ids = itertools.count(1)


@pytest.fixture
async def slack(
    database: Database, clock: FrozenClock, registry: Registry
) -> AsyncIterator[SlackDriver]:
    driver = await SlackDriver.start(
        clock=clock, db=database, registry=registry, settings={"COPBOT_ADMINS": "UBO"}, oauth=True
    )
    yield driver
    await driver.close()


async def start_install(slack: SlackDriver) -> tuple[str, str]:
    """GET /slack/install as a browser: (Slack's authorize URL, the state cookie)."""
    slack.client.session.cookie_jar.clear()
    response = await slack.client.get("/slack/install", allow_redirects=False)
    assert response.status == 302, await response.text()
    cookie = response.cookies[COOKIE].value
    slack.client.session.cookie_jar.clear()
    return response.headers["Location"], cookie


async def allow(location: str, **where: str) -> str:
    """The installer presses "Allow" on the fake's authorize page: where Slack sends them."""
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(f"{location}&{urlencode(where)}", allow_redirects=False) as granted,
    ):
        assert granted.status == 302, await granted.text()
        return granted.headers["Location"]


async def finish(slack: SlackDriver, back: str, cookie: str | None) -> tuple[int, str]:
    url = urlparse(back)
    assert f"{url.scheme}://{url.netloc}" == "https://copbot.example.com"
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    response = await slack.client.get(
        f"{url.path}?{url.query}", headers=headers, allow_redirects=False
    )
    return response.status, await response.text()


async def install(slack: SlackDriver, **where: str) -> None:
    location, cookie = await start_install(slack)
    status, page = await finish(slack, await allow(location, **where), cookie)
    assert status == 200, page


async def event_from(
    slack: SlackDriver,
    event: dict[str, Any],
    *,
    team: str,
    enterprise: str | None = None,
    org_wide: bool = False,
) -> None:
    """An Events API delivery from one workspace, shaped as Slack sends it."""
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "enterprise_id": enterprise,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"EvO{next(_ids)}",
            "event_time": slack.now(),
            "is_enterprise_install": org_wide,
            "authorizations": [
                {
                    "enterprise_id": enterprise,
                    "team_id": None if org_wide else team,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": org_wide,
                }
            ],
            "event": event,
        }
    )
    response = await slack.post(
        body, content_type="application/json", headers=signed_headers(body, slack.now())
    )
    assert response.status == 200, await response.text()


def dm(user: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": f"1700000002.{next(_ids):06d}",
    }


def token_of(slack: SlackDriver, team: str | None = None, enterprise: str | None = None) -> str:
    found = [
        t
        for t, i in slack.fake.installs.items()
        if i.team_id == team and i.enterprise_id == enterprise
    ]
    assert len(found) == 1, slack.fake.installs
    return found[0]


def posts_to(slack: SlackDriver, user: str) -> list[tuple[str, str]]:
    """(token, text) of each chat.postMessage to a person's DM."""
    return [
        (c.token, str(c.data.get("text")))
        for c in slack.fake.calls
        if c.method == "chat.postMessage" and c.data.get("channel") in (user, f"D{user}")
    ]


async def queue_dm(slack: SlackDriver, user: str, text: str, key: str) -> None:
    services = slack.adapter.core.services
    async with services.db.session() as session:
        identity = await people.find_identity(session, "slack", user)
        assert identity is not None
        await notify_member(session, identity.member_id, Reply(text), key, now=services.clock.now())


async def test_install_redirects_to_slack_with_a_state_and_its_cookie(slack: SlackDriver) -> None:
    location, cookie = await start_install(slack)
    url = urlparse(location)
    query = parse_qs(url.query)
    assert location.startswith(slack.fake.authorize_url)
    assert query["client_id"] == [slack.fake.client_id]
    assert query["state"] == [cookie]
    assert "chat:write" in query["scope"][0].split(",")
    assert query["redirect_uri"] == ["https://copbot.example.com/slack/oauth_redirect"]


async def test_two_workspaces_and_a_grid_org_each_hear_copbot_with_their_own_token(
    slack: SlackDriver,
) -> None:
    await install(slack, team="T2")
    await install(slack, team="T3")
    await install(slack, enterprise="E1", org_wide="1")
    assert slack.fake.called("oauth.v2.access") and len(slack.fake.installs) == 3
    t2, t3, org = token_of(slack, "T2"), token_of(slack, "T3"), token_of(slack, None, "E1")

    await event_from(slack, dm("UADA", "help"), team="T2")
    await event_from(slack, dm("UBO", "help"), team="T3")
    # One person of the Grid org, in two of its workspaces: one member, the org's token.
    await event_from(slack, dm("WGRID", "help"), team="T5", enterprise="E1", org_wide=True)
    await event_from(slack, dm("WGRID", "me"), team="T6", enterprise="E1", org_wide=True)
    assert {token for token, _ in posts_to(slack, "UADA")} == {t2}
    assert {token for token, _ in posts_to(slack, "UBO")} == {t3}
    assert {token for token, _ in posts_to(slack, "WGRID")} == {org}
    assert set(slack.fake.tokens_used("users.info")) == {t2, t3, org}

    services = slack.adapter.core.services
    async with services.db.session() as session:
        grid = await people.find_identity(session, "slack", "WGRID")
        ada = await people.find_identity(session, "slack", "UADA")
    assert grid is not None and grid.tenant_id == "E1"
    assert ada is not None and ada.tenant_id == "T2"

    # Proactive messages through the outbox: each with its workspace's token and budget.
    for user in ("UADA", "UBO", "WGRID"):
        await queue_dm(slack, user, f"notice for {user}", f"test:notice:{user}")
    await slack.adapter.core.heartbeat.deliver()
    assert (t2, "notice for UADA") in posts_to(slack, "UADA")
    assert (t3, "notice for UBO") in posts_to(slack, "UBO")
    assert (org, "notice for WGRID") in posts_to(slack, "WGRID")
    async with services.db.session() as session:
        rows = await outbox.list_messages(session, key_prefix="test:notice:")
    assert {r.bucket for r in rows} == {"slack:T2", "slack:T3", "slack:E1"}
    assert {r.status for r in rows} == {"sent"}


async def test_uninstall_and_revoke_stop_delivery_and_tell_coordinators(
    slack: SlackDriver,
) -> None:
    await install(slack, team="T2")
    await install(slack, team="T3")
    t2, t3 = token_of(slack, "T2"), token_of(slack, "T3")
    await event_from(slack, dm("UADA", "help"), team="T2")
    await event_from(slack, dm("UBO", "help"), team="T3")  # UBO is a coordinator
    store = slack.adapter.workspaces.store
    assert store is not None

    await queue_dm(slack, "UADA", "never sent", "test:pending:ada")
    used_t2 = slack.fake.tokens_used("chat.postMessage").count(t2)
    slack.fake.revoked.add(t2)  # Slack revokes a workspace's tokens when it uninstalls
    del slack.fake.installs[t2]
    await event_from(slack, {"type": "app_uninstalled"}, team="T2")
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T2") is None
    services = slack.adapter.core.services
    async with services.db.session() as session:
        pending = await outbox.get_by_key(session, "test:pending:ada")
    assert pending is not None and pending.status == "undeliverable"
    assert "uninstalled" in (pending.error or "")
    await slack.adapter.core.heartbeat.deliver()
    assert "never sent" not in [text for _, text in posts_to(slack, "UADA")]
    told = [text for token, text in posts_to(slack, "UBO") if token == t3]
    assert any("uninstalled" in text and "T2" in text for text in told), told
    assert slack.fake.tokens_used("chat.postMessage").count(t2) == used_t2

    # Slack revokes T3's bot token: it is deleted, and nothing more goes there.
    await event_from(
        slack, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}, team="T3"
    )
    assert await store.async_find_bot(enterprise_id=None, team_id="T3") is None
    sent_before = len(slack.fake.called("chat.postMessage"))
    await queue_dm(slack, "UBO", "after the revoke", "test:after-revoke")
    await slack.adapter.core.heartbeat.deliver()
    assert len(slack.fake.called("chat.postMessage")) == sent_before
    async with services.db.session() as session:
        after = await outbox.get_by_key(session, "test:after-revoke")
    assert after is not None and after.status == "undeliverable"

    # Installing again brings the workspace back.
    await install(slack, team="T2")
    await queue_dm(slack, "UADA", "welcome back", "test:back")
    await slack.adapter.core.heartbeat.deliver()
    assert posts_to(slack, "UADA")[-1] == (token_of(slack, "T2"), "welcome back")


async def test_a_forged_replayed_or_expired_state_is_refused_with_a_friendly_page(
    slack: SlackDriver, clock: FrozenClock
) -> None:
    # Forged: a state this server never issued, no cookie.
    location, cookie = await start_install(slack)
    back = await allow(location, team="T2")
    status, page = await finish(slack, back.replace(cookie, "forged"), None)
    assert status in (400, 401)
    assert "start the installation again" in page and "Traceback" not in page
    assert [
        c for c in slack.fake.called("oauth.v2.access") if c["code"] != "copbot-start-up-check"
    ] == []

    # The right cookie but a state from elsewhere.
    status, page = await finish(slack, back.replace(f"state={cookie}", "state=forged"), "forged")
    assert status in (400, 401) and "Nothing was installed" in page

    # Used once, then replayed.
    status, _page = await finish(slack, back, cookie)
    assert status == 200
    status, page = await finish(slack, back, cookie)
    assert status in (400, 401) and "start the installation again" in page

    # Expired: the installer took longer than ten minutes.
    location, cookie = await start_install(slack)
    back = await allow(location, team="T3")
    clock.advance(timedelta(minutes=11))
    status, page = await finish(slack, back, cookie)
    assert status in (400, 401) and "expired" in page
    assert set(i.team_id for i in slack.fake.installs.values()) == {"T2"}


async def test_the_installer_finds_their_installs_in_my_data_and_forget_keeps_them_working(
    slack: SlackDriver,
) -> None:
    await install(slack, team="T2", installer="UADA")
    await install(slack, team="T3")  # someone else's
    # Another workspace's user with the same id: not her (her identity is of T2).
    await install(slack, team="T4", installer="UADA")
    t2 = token_of(slack, "T2")
    await event_from(slack, dm("UADA", "help"), team="T2")
    services = slack.adapter.core.services
    async with services.db.session() as session:
        identity = await people.find_identity(session, "slack", "UADA")
        assert identity is not None
        ada = await people.get_member(session, identity.member_id)
        assert ada is not None
        raw = await privacy.export_bytes(session, ada, services.clock.now())
    data = json.loads(raw)
    (mine,) = data["slack_installations_you_made"]
    assert mine.pop("installed_at")
    assert mine == {
        "enterprise_id": None,
        "enterprise_name": None,
        "team_id": "T2",
        "team_name": "Team",
        "org_wide": False,
        "bot_scopes": ["commands", "chat:write"],
        "user_scopes": [],
    }
    assert b"xoxb-" not in raw  # never a token

    async with services.db.session() as session:
        member = await people.get_member(session, identity.member_id)
        assert member is not None
        await privacy.forget(session, services.settings, member, services.clock.now())
    async with services.db.session() as session:
        rows = {r.team_id: r for r in (await session.exec(select(SlackInstallation))).all()}
    assert rows["T2"].user_id == "" and '"UADA"' not in json.dumps(rows["T2"].data)
    assert rows["T2"].bot_token == t2
    assert rows["T4"].user_id == "UADA" and rows["T3"].user_id == "UINSTALLER"
    # The workspace she installed into still hears copbot, with its own token.
    store = slack.adapter.workspaces.store
    assert store is not None
    kept = await store.async_find_installation(enterprise_id=None, team_id="T2")
    assert kept is not None and kept.bot_token == t2 and kept.user_id == ""
    await event_from(slack, dm("UCY", "help"), team="T2")
    assert {token for token, _ in posts_to(slack, "UCY")} == {t2}
