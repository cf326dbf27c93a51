"""Tokens on Teams activities are checked for real, against keys fetched from loopback.

The fake connector plays the Bot Framework's OpenID configuration and signing keys for an RSA
key it makes; botbuilder fetches them (MICROSOFT_OPENID_METADATA_URL points at the fake) and
verifies each token's signature, issuer, audience, service URL and expiry. Nothing is patched:
a token the fake signed for this bot is taken, any other is a 401 and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.teams.driver import APP_ID, TeamsDriver
from tests.teams.fake_connector import PASSWORD, signing_key

OTHER_KEY = signing_key()


async def _post(secured: TeamsDriver, token: str, *, kind: str = "typing") -> int:
    # A typing activity asks for no answer: the turn sends nothing, so no token goes out.
    activity = secured.activity("29:ada", kind=kind)
    response = await secured.post(activity, headers={"Authorization": f"Bearer {token}"})
    return response.status


async def test_a_token_the_bot_framework_signed_is_taken(secured: TeamsDriver) -> None:
    status = await _post(secured, secured.fake.token(APP_ID))
    assert 200 <= status < 300, status
    assert secured.fake.calls == []


@pytest.mark.parametrize(
    ("why", "token_args"),
    [
        ("signed by another key", {"key": OTHER_KEY}),
        ("for another bot", {"aud": "99999999-2222-3333-4444-555555555555"}),
        ("from another issuer", {"iss": "https://evil.example.com"}),
        ("for another service URL", {"service_url": "https://evil.example.com/"}),
        ("expired", {"exp": int(time.time()) - 3600, "nbf": int(time.time()) - 7200}),
    ],
)
async def test_any_other_token_is_refused(
    secured: TeamsDriver, why: str, token_args: dict[str, Any]
) -> None:
    token = secured.fake.token(APP_ID, **token_args)
    assert await _post(secured, token) == 401, why
    assert await _post(secured, token, kind="message") == 401, why
    assert secured.fake.calls == []


async def test_the_start_up_check_asks_the_fake_token_service(secured: TeamsDriver) -> None:
    for _ in range(200):  # the check runs beside start-up
        if secured.fake.token_requests:
            break
        await asyncio.sleep(0.01)
    tenant, form = secured.fake.token_requests[0]
    assert tenant == "botframework.com"
    assert form["client_id"] == APP_ID and form["client_secret"] == PASSWORD
    assert form["scope"] == "https://api.botframework.com/.default"
