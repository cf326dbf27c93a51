"""The dashboard over plain HTTP (aiohttp test client): sign-in links work once and expire,
forged cookies and cross-site posts are refused, pages follow the roles and the anonymity
rule, and every refusal is a friendly page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.clock import FrozenClock
from bot.config import Settings
from bot.dashboard import signin
from bot.messages import Visibility
from tests.dashboard.conftest import (
    csrf_of,
    link_fields,
    link_from_chat,
    link_path,
    origin,
    sign_in,
)
from tests.demo_copy import seed_demo
from tests.helpers import Chat

MORE = ("cy", "di", "eve", "fay")


async def test_signed_out_home_says_how_to_sign_in(web: TestClient) -> None:
    response = await web.get("/")
    assert response.status == 200
    assert "type <code>dashboard</code>" in await response.text()
    assert (await web.get("/static/dashboard.css")).status == 200


async def test_a_link_signs_in_once(
    web: TestClient, chat: Chat, settings: Settings, community: str
) -> None:
    link = await sign_in(web, chat, settings, "ada")
    home = await (await web.get("/")).text()
    assert "Your communities" in home and "Data Engineering" in home
    # The same link again, even from the same browser: refused, and says why.
    again = await web.post("/signin", data=link_fields(link), headers={"Origin": origin(web)})
    assert again.status == 403
    assert "used already" in await again.text()
    # Only opening the link (a chat app's preview) spends nothing: a fresh link still works.
    fresh = await link_from_chat(chat, "bo")
    for _ in range(2):
        assert (await web.get(link_path(settings, fresh))).status == 200
    web.session.cookie_jar.clear()
    assert (
        await web.post("/signin", data=link_fields(fresh), headers={"Origin": origin(web)})
    ).status == 200  # followed the redirect to the signed-in home page
    assert "Bo&#39;s dashboard" in await (await web.get("/")).text()


async def test_an_expired_or_altered_link_is_refused(
    web: TestClient, chat: Chat, settings: Settings, clock: FrozenClock, community: str
) -> None:
    link = await link_from_chat(chat, "ada")
    fields = link_fields(link)
    altered = fields | {"m": str(int(fields["m"]) + 1)}
    answer = await web.post("/signin", data=altered, headers={"Origin": origin(web)})
    assert answer.status == 403 and signin.COOKIE not in answer.cookies
    clock.advance(signin.LINK_TTL + timedelta(seconds=1))
    opened = await web.get(link_path(settings, link))
    assert opened.status == 403 and "expired" in await opened.text()
    answer = await web.post("/signin", data=fields, headers={"Origin": origin(web)})
    assert answer.status == 403 and signin.COOKIE not in answer.cookies
    assert "Your communities" not in await (await web.get("/")).text()


async def test_a_forged_or_ended_session_cookie_is_refused(
    web: TestClient, chat: Chat, settings: Settings, clock: FrozenClock, community: str
) -> None:
    web.session.cookie_jar.update_cookies({signin.COOKIE: "A" * 43})
    page = await web.get("/c/data-eng")
    assert page.status == 401 and "Sign in to your dashboard" in await page.text()
    web.session.cookie_jar.update_cookies({signin.COOKIE: "not a token; =x"})
    assert (await web.get("/c/data-eng")).status == 401
    await sign_in(web, chat, settings, "lead")
    assert (await web.get("/c/data-eng")).status == 200
    clock.advance(signin.SESSION_TTL + timedelta(seconds=1))
    assert (await web.get("/c/data-eng")).status == 401


async def test_a_cross_site_form_post_is_refused(
    web: TestClient, chat: Chat, settings: Settings, community: str
) -> None:
    await sign_in(web, chat, settings, "lead")
    csrf = csrf_of(await (await web.get("/")).text())
    own = {"Origin": origin(web)}
    for data, headers in (
        ({}, own),  # no token
        ({"csrf": "0" * 40}, own),  # a wrong token
        ({"csrf": csrf}, {"Origin": "https://evil.example"}),  # another site
        ({"csrf": csrf}, {"Referer": "https://evil.example/page"}),
    ):
        answer = await web.post("/signout", data=data, headers=headers, allow_redirects=False)
        assert answer.status == 403, (data, headers)
        assert (await web.get("/c/data-eng")).status == 200  # still signed in
    # A sign-in link posted from another site is refused and not spent.
    link = await link_from_chat(chat, "ada")
    foreign = await web.post(
        "/signin", data=link_fields(link), headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 403
    out = await web.post("/signout", data={"csrf": csrf}, headers=own, allow_redirects=False)
    assert out.status == 303
    assert (await web.get("/c/data-eng")).status == 401
    web.session.cookie_jar.clear()
    assert (
        await web.post("/signin", data=link_fields(link), headers=own, allow_redirects=False)
    ).status == 303


async def test_a_member_is_refused_a_leader_page_kindly(
    web: TestClient, chat: Chat, settings: Settings, community: str
) -> None:
    await sign_in(web, chat, settings, "ada")
    for path in ("/c/data-eng", "/c/data-eng/csv/health", "/programme", "/programme/csv/delivery"):
        answer = await web.get(path)
        assert answer.status == 403, path
        assert "not available to you" in await answer.text()
    missing = await web.get("/c/nowhere")
    assert missing.status == 404 and "no a community" not in await missing.text()
    home = await (await web.get("/")).text()
    assert 'href="/c/data-eng"' not in home  # no link to a page she would be refused


async def _survey_with_a_thin_question(chat: Chat, community: str) -> None:
    for handle in MORE:
        await chat(f"join {community}", as_=handle)
    await chat.submit(
        "survey.new:data-eng",
        {
            "title": "Quick check",
            "questions": "a5: The last session was useful\n"
            "choice: Which format next? | Talk | Workshop (optional)",
            "audience": "members",
            "anonymous": "yes",
            "opens": "now",
            "closes": "7d",
        },
        as_="lead",
    )
    for handle in ("ada", "bo", "cy", "di", "eve"):
        await chat.submit("survey.answer:1", {"q0": "4"}, as_=handle)
    await chat.submit("survey.answer:1", {"q0": "5", "q1": "Workshop"}, as_="fay")


async def test_no_page_shows_an_anonymous_answer_below_the_threshold(
    web: TestClient, chat: Chat, settings: Settings, community: str
) -> None:
    await _survey_with_a_thin_question(chat, community)
    await sign_in(web, chat, settings, "lead")
    open_page = await (await web.get("/c/data-eng")).text()
    assert "6 of 7 answered" in open_page
    for figure in ("Agree", "Workshop", "Talk", "favourable", "Answers given"):
        assert figure not in open_page, figure
    await chat("survey close 1 confirm", as_="lead")
    closed = await (await web.get("/c/data-eng")).text()
    assert "Strongly agree 1" in closed and "Agree 5" in closed  # six answers: shown
    assert "hidden: fewer than 5 answers" in closed
    assert "Workshop" not in closed  # one answer: withheld
    survey_csv = (await (await web.get("/c/data-eng/csv/survey-1")).read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(survey_csv)))
    assert not any("Workshop" in cell for row in rows for cell in row)
    assert any("hidden" in cell for row in rows for cell in row)


async def test_the_leader_page_shows_figures_charts_tables_and_csv(
    web: TestClient, chat: Chat, settings: Settings
) -> None:
    assert await seed_demo(chat.core.services)
    await sign_in(web, chat, settings, "grace")
    page = await (await web.get("/c/data-eng")).text()
    for title in ("Health over quarters", "Attendance per meeting", "Survey results"):
        assert title in page, title
    assert "<svg" in page and 'href="#health-table"' in page and 'id="health-table"' in page
    assert 'href="#attendance-table"' in page
    answer = await web.get("/c/data-eng/csv/attendance")
    assert answer.status == 200 and answer.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO((await answer.read()).decode("utf-8-sig"))))
    assert rows[0] == ["Session", "Attended", "New", "Returning", "RSVP going"]
    assert len(rows) > 1 and all(int(r[1]) == int(r[2]) + int(r[3]) for r in rows[1:])
    # A sponsor sees the aggregates but not the lessons waiting for validation.
    web.session.cookie_jar.clear()
    await sign_in(web, chat, settings, "helen")
    sponsor = await (await web.get("/c/data-eng")).text()
    assert "Health over quarters" in sponsor and "Lessons waiting" not in sponsor
    assert (await web.get("/programme")).status == 403


async def test_the_programme_page_sorts_and_escapes_its_csv(
    web: TestClient, chat: Chat, settings: Settings
) -> None:
    await chat("community new big Big Team", as_="root")
    await chat("community new small =HYPERLINK(1) Small", as_="root")
    for handle in ("a1", "a2"):
        await chat("join big", as_=handle)
    await sign_in(web, chat, settings, "root")
    page = await (await web.get("/programme?sort=communities:1&dir=desc")).text()
    assert page.index("Big Team") < page.index("HYPERLINK")
    assert 'aria-sort="descending"' in page and "Delivery health" in page
    page = await (await web.get("/programme?sort=communities:1&dir=asc")).text()
    assert page.index("HYPERLINK") < page.index("Big Team")
    text = (await (await web.get("/programme/csv/communities")).read()).decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text))]
    assert "'=HYPERLINK(1) Small" in names and not any(n.startswith("=") for n in names)


async def test_forget_me_ends_every_dashboard_session(
    web: TestClient, chat: Chat, settings: Settings, community: str
) -> None:
    await sign_in(web, chat, settings, "ada")
    export = [r.file for r in await chat("my data", as_="ada") if r.file is not None]
    assert export and b'"dashboard_sessions"' in export[0].data
    assert b'"signed_in_at"' in export[0].data
    assert "Your communities" in await (await web.get("/")).text()
    await chat("forget me confirm", as_="ada")
    home = await web.get("/")
    assert "Your communities" not in await home.text()
    assert (await web.get("/csv/communities")).status == 401


async def test_the_member_page_links_each_meeting_to_its_calendar_file(
    web: TestClient, chat: Chat, settings: Settings
) -> None:
    assert await seed_demo(chat.core.services)
    await sign_in(web, chat, settings, "linus")
    home = await (await web.get("/")).text()
    assert "Upcoming meetings" in home and "Monthly data clinic" in home
    marker = 'href="' + settings.base_url + "/files/ics/"
    start = home.index(marker) + len('href="')
    link = home[start : home.index('"', start)].replace("&amp;", "&")
    calendar = await web.get(link.removeprefix(settings.base_url))
    assert calendar.status == 200 and calendar.content_type == "text/calendar"
    assert 'href="/c/data-eng"' not in home  # Linus is a member there, not a leader


async def test_the_link_is_shown_only_to_the_asker_even_in_a_channel(
    chat: Chat, settings: Settings, community: str
) -> None:
    replies = await chat("dashboard", as_="ada", channel="C-data")
    assert [r.visibility for r in replies] == [Visibility.PRIVATE]
    assert "works once" in replies[0].text
    links = [c.url for c in replies[0].choices if c.url]
    assert len(links) == 1 and links[0].startswith(settings.base_url + "/signin?")
    assert links[0] != await link_from_chat(chat, "ada")  # every link is new


async def test_the_cookie_is_secure_behind_https(
    web: TestClient, chat: Chat, settings: Settings, community: str
) -> None:
    settings.public_url = "https://copbot.example.com"
    link = await link_from_chat(chat, "ada")
    assert link.startswith("https://copbot.example.com/signin?")
    answer = await web.post(
        "/signin",
        data=link_fields(link),
        headers={"Origin": "https://copbot.example.com"},
        allow_redirects=False,
    )
    assert answer.status == 303
    cookie = answer.cookies[signin.COOKIE]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
