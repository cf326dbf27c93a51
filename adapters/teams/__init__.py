"""Microsoft Teams adapter (botbuilder CloudAdapter).

Every botbuilder import stays inside this package: the Bot Framework Python SDK is archived
upstream, and a move to `microsoft-agents-hosting-aiohttp` should touch nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Platform

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.core_api import CoreAPI

NOT_CONNECTED = (
    "Teams: not connected (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD; without them, "
    "emulator mode is allowed only when HOST is a loopback address)"
)


def mount(app: web.Application, core: CoreAPI) -> str:
    """Mount POST /api/messages; returns a status line.

    With MICROSOFT_APP_ID set every activity's token is validated. Without it the endpoint runs
    in emulator mode (no authentication), which is only allowed while HOST is loopback.
    """
    settings = core.services.settings
    if not settings.microsoft_app_id and not settings.host_is_loopback:
        return NOT_CONNECTED
    problem = config_problem(settings)
    if problem:
        return f"Teams: not connected ({problem})"
    from adapters.teams.mounted import TEAMS, Mounted

    mounted = Mounted(core, settings)
    app[TEAMS] = mounted
    core.services.ports.register(mounted.port)
    core.inbox.register(Platform.TEAMS.value, mounted)
    app.on_cleanup.append(mounted.close)
    app.router.add_post("/api/messages", mounted.handle_http)
    if settings.microsoft_app_id:
        # Connected to Teams: build it now, so a botbuilder configuration error shows at start.
        mounted.adapter()
    from adapters.teams.credentials import start_check

    start_check(app, settings)
    url = f"{settings.base_url}/api/messages"
    if not settings.microsoft_app_id:
        return (
            f"Teams: emulator mode at {url} (no authentication, loopback only; "
            "set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to connect to Teams)"
        )
    return f"Teams: listening on {url} (app id {settings.microsoft_app_id})"


def config_problem(settings: Settings) -> str | None:
    """What is missing for the configured MICROSOFT_APP_TYPE (botbuilder would raise)."""
    if not settings.microsoft_app_id:
        return None
    kind = (settings.microsoft_app_type or "MultiTenant").lower()
    needs = {
        "multitenant": ("MICROSOFT_APP_PASSWORD",),
        "singletenant": ("MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"),
        "userassignedmsi": ("MICROSOFT_APP_TENANT_ID",),
    }.get(kind)
    if needs is None:
        return (
            f"MICROSOFT_APP_TYPE={settings.microsoft_app_type} is not one of SingleTenant, "
            "MultiTenant or UserAssignedMSI"
        )
    values = {
        "MICROSOFT_APP_PASSWORD": settings.microsoft_app_password,
        "MICROSOFT_APP_TENANT_ID": settings.microsoft_app_tenant_id,
    }
    missing = [name for name in needs if not values[name]]
    if missing:
        return f"MICROSOFT_APP_TYPE={settings.microsoft_app_type} needs {' and '.join(missing)}"
    return None
