"""Start-up check of the Teams credentials: a wrong app id or password is named, with the fix.

Asks Microsoft's token service for a Bot Framework token as botbuilder would before its first
send (client credentials), bounded by `CHECK_SECONDS`, beside start-up: the log names the
variable Entra ID refused and what to do, and everything else keeps serving.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web

from bot.config import Settings

_LOGGER = logging.getLogger(__name__)
CHECK_SECONDS = 10.0
PORTAL = "the Azure portal > your Azure Bot > Configuration"
FIXES = {
    "MICROSOFT_APP_PASSWORD": (
        f"create a new client secret ({PORTAL} > Manage Password > New client secret) and put "
        "its value (not its id) in MICROSOFT_APP_PASSWORD, then restart copbot"
    ),
    "MICROSOFT_APP_ID": (
        f"copy the Microsoft App ID from {PORTAL} into MICROSOFT_APP_ID (and check "
        "MICROSOFT_APP_TYPE and MICROSOFT_APP_TENANT_ID match the bot), then restart copbot"
    ),
    "MICROSOFT_APP_TENANT_ID": (
        f"copy the App Tenant ID from {PORTAL} into MICROSOFT_APP_TENANT_ID, then restart copbot"
    ),
}
# Entra ID error codes (AADSTS…) and the variable each one points at.
CODES = {
    "7000215": "MICROSOFT_APP_PASSWORD",  # invalid client secret
    "7000222": "MICROSOFT_APP_PASSWORD",  # expired client secret
    "700016": "MICROSOFT_APP_ID",  # application not found in the directory
    "90002": "MICROSOFT_APP_TENANT_ID",  # tenant not found
    "900023": "MICROSOFT_APP_TENANT_ID",  # malformed tenant
}


def token_url(settings: Settings) -> str:
    return f"{settings.microsoft_token_authority}/oauth2/v2.0/token"


async def check_app_credentials(settings: Settings) -> str | None:
    """None when Microsoft issues a token for the app id and password, else what to do."""
    if not settings.microsoft_app_id or not settings.microsoft_app_password:
        return None  # emulator mode, or a managed identity (no password to check)
    url = token_url(settings)
    form = {
        "grant_type": "client_credentials",
        "client_id": settings.microsoft_app_id,
        "client_secret": settings.microsoft_app_password,
        "scope": f"{settings.microsoft_oauth_scope.rstrip('/')}/.default",
    }
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_SECONDS)) as http,
            http.post(url, data=form) as response,
        ):
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        return (
            f"Could not reach Microsoft's token service at {url} to check MICROSOFT_APP_ID and "
            f"MICROSOFT_APP_PASSWORD ({str(exc) or type(exc).__name__}); Teams sends will retry."
        )
    if isinstance(body, dict) and body.get("access_token"):
        return None
    body = body if isinstance(body, dict) else {}
    codes = [str(c) for c in body.get("error_codes") or []]
    variable = next((CODES[c] for c in codes if c in CODES), None)
    if variable is None:
        variable = "MICROSOFT_APP_PASSWORD" if body.get("error") == "invalid_client" else None
    why = str(body.get("error") or f"HTTP {response.status}")
    if codes:
        why += f", AADSTS{codes[0]}"
    if variable is None:
        return (
            f"Microsoft refused MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD ({why}). To fix "
            f"it: {FIXES['MICROSOFT_APP_ID']}. Teams stays disconnected until then; "
            "everything else keeps serving."
        )
    return (
        f"Microsoft refused {variable} ({why}). To fix it: {FIXES[variable]}. Teams stays "
        "disconnected until then; everything else keeps serving."
    )


async def log_check(settings: Settings) -> None:
    problem = await check_app_credentials(settings)
    if problem:
        _LOGGER.error(problem)
    elif settings.microsoft_app_id and settings.microsoft_app_password:
        _LOGGER.info("Microsoft took the Teams credentials")


def start_check(app: web.Application, settings: Settings) -> None:
    """Run the check beside start-up (never delaying it); stopped with the server."""
    tasks: list[asyncio.Task[None]] = []

    async def begin(_app: web.Application) -> None:
        tasks.append(asyncio.get_running_loop().create_task(log_check(settings)))

    async def end(_app: web.Application) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    app.on_startup.append(begin)
    app.on_cleanup.append(end)
