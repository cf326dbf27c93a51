"""Start-up checks of the Slack credentials: a wrong or revoked one is named, with the fix.

Each check asks Slack once, bounded by `CHECK_SECONDS`, so `copbot serve` says within seconds
which variable is wrong and what to do, and goes on serving everything else (/healthz, Teams,
the local chat). Without these, a wrong `SLACK_APP_TOKEN` left start-up waiting for a
WebSocket that never opened, with no word of why.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = logging.getLogger(__name__)
CHECK_SECONDS = 10.0
APPS = "api.slack.com/apps > your app"
FIXES = {
    "SLACK_BOT_TOKEN": (
        f"copy the Bot User OAuth Token (xoxb-...) from {APPS} > OAuth & Permissions into "
        "SLACK_BOT_TOKEN (install the app to the workspace again if it was removed), then "
        "restart copbot"
    ),
    "SLACK_APP_TOKEN": (
        f"create an app-level token with the connections:write scope at {APPS} > Basic "
        "Information > App-Level Tokens (it starts with xapp-), put it in SLACK_APP_TOKEN, "
        "turn Socket Mode on for the app, then restart copbot"
    ),
    "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET": (
        f"copy the Client ID and Client Secret from {APPS} > Basic Information > App "
        "Credentials, then restart copbot"
    ),
}
PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}
# oauth.v2.access answers these to a wrong client id or secret (any other error: they are right).
BAD_CLIENT = frozenset({"invalid_client_id", "bad_client_secret", "invalid_client"})


def refused(variable: str, why: str) -> str:
    return (
        f"Slack refused {variable} ({why}). To fix it: {FIXES[variable]}. Slack stays "
        "disconnected until then; everything else keeps serving."
    )


def unreachable(variable: str, url: str, exc: BaseException) -> str:
    what = str(exc) or type(exc).__name__
    return (
        f"Could not reach Slack at {url} to check {variable} ({what}). Check this server's "
        "network and SLACK_API_URL; copbot keeps trying when it sends."
    )


def _misshapen(variable: str, token: str) -> str | None:
    prefix = PREFIXES[variable]
    if token.startswith(prefix):
        return None
    return refused(variable, f"it does not start with {prefix}")


async def check_bot_token(client: AsyncWebClient, token: str) -> str | None:
    """None when Slack takes the token (auth.test), else what is wrong and what to do."""
    variable = "SLACK_BOT_TOKEN"
    problem = _misshapen(variable, token)
    if problem:
        return problem
    try:
        await asyncio.wait_for(client.auth_test(token=token), CHECK_SECONDS)
    except SlackApiError as exc:
        return refused(variable, str(exc.response.get("error") or exc))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return unreachable(variable, client.base_url, exc)
    return None


async def check_app_token(api_url: str, token: str) -> str | None:
    """None when Slack opens a Socket Mode connection for it (apps.connections.open)."""
    variable = "SLACK_APP_TOKEN"
    problem = _misshapen(variable, token)
    if problem:
        return problem
    client = AsyncWebClient(token=token, base_url=api_url)
    try:
        await asyncio.wait_for(client.apps_connections_open(app_token=token), CHECK_SECONDS)
    except SlackApiError as exc:
        return refused(variable, str(exc.response.get("error") or exc))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return unreachable(variable, api_url, exc)
    return None


async def check_oauth_client(client: AsyncWebClient, client_id: str, secret: str) -> str | None:
    """None when Slack knows the client id and secret: a code nobody issued is refused as a
    code (`invalid_code`), not as a client, when they are right."""
    variable = "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"
    try:
        await asyncio.wait_for(
            client.oauth_v2_access(
                client_id=client_id, client_secret=secret, code="copbot-start-up-check"
            ),
            CHECK_SECONDS,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "")
        return refused(variable, error) if error in BAD_CLIENT else None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return unreachable(variable, client.base_url, exc)
    return None
