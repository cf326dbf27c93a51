"""The `copbot` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import sys
from pathlib import Path
from typing import Any

from bot import log_format
from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="copbot", description="Communities of Practice bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the server with the scheduler (the default)")
    chat = sub.add_parser("chat", help="chat with copbot in this terminal")
    chat.add_argument("--as", dest="user", default=None, help="who you are (default: you)")
    chat.add_argument("--demo", action="store_true", help="load the sample communities first")
    sub.add_parser("demo", help="load sample communities, people and data")
    db = sub.add_parser("db", help="database tasks")
    db.add_argument("action", choices=["upgrade"])
    manifest = sub.add_parser("slack-manifest", help="print a Slack app manifest (YAML)")
    manifest.add_argument("--url", default=None, help="public https URL of this server")
    manifest.add_argument("--socket", action="store_true", help="Socket Mode instead of HTTP")
    package = sub.add_parser("teams-package", help="write the Teams app package (zip)")
    package.add_argument("--out", default="copbot-teams.zip")
    package.add_argument("--domain", default=None, help="public host name of this server")
    args = parser.parse_args(argv)
    settings = Settings()
    log_format.configure(settings.log_format)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command = args.command or "serve"
    if command == "serve":
        return serve(settings)
    if command == "chat":
        return asyncio.run(chat_main(settings, args.user or _local_user(), args.demo))
    if command == "demo":
        return asyncio.run(demo_main(settings))
    if command == "db":
        return asyncio.run(upgrade_main(settings))
    if command == "slack-manifest":
        from adapters.slack.manifest import manifest_yaml

        print(manifest_yaml(public_url=args.url, socket_mode=args.socket))
        return 0
    if command == "teams-package":
        from adapters.teams.package import write_package
        from bot.app import build_registry

        try:
            path = write_package(
                Path(args.out), settings=settings, registry=build_registry(), domain=args.domain
            )
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"Wrote {path}: upload it in Teams (Apps > Manage your apps > Upload an app).")
        return 0
    parser.print_help()
    return 2


def _local_user() -> str:
    try:
        return getpass.getuser().lower() or "you"
    except Exception:  # no login name in some containers
        return "you"


def serve(settings: Settings) -> int:
    from aiohttp import web

    from bot.access_log import PathOnlyAccessLogger
    from bot.app import STATUS, create_app

    app = create_app(settings)
    lines = [
        f"copbot is serving on http://{settings.host}:{settings.port}",
        f"  database: {_safe_url(settings.database_url)}",
        "  GET /healthz checks the database",
        *(f"  {line}" for line in app[STATUS]),
        "  Try it without any platform: copbot chat --demo",
    ]
    if log_format.is_json(settings.log_format):
        for line in lines:  # a collector reads one JSON object per line, banner included
            logging.getLogger("copbot").info(line.strip())
    else:
        print("\n".join(lines), flush=True)
    logged: dict[str, Any] = (
        {"access_log_class": PathOnlyAccessLogger} if settings.access_log else {"access_log": None}
    )
    app.on_startup.append(settle_for_serving)
    web.run_app(app, host=settings.host, port=settings.port, print=None, **logged)
    return 0


async def settle_for_serving(_app: Any) -> None:
    """Pay one-off costs before the first request instead of during one, where the
    acknowledgements queued behind them would wait (bench/README.md, "Stalls of the
    event loop")."""
    from storage.db import configure_tables

    configure_tables()
    # What start-up built (some 135,000 objects: modules, table classes, the app) lives as long
    # as the process. Moved out of the collector's reach, a full collection no longer walks it
    # all, a pause of 40-70 ms of the event loop that every waiting acknowledgement sat out.
    gc.freeze()


async def chat_main(settings: Settings, user: str, demo: bool) -> int:
    from adapters.console import run_chat
    from bot.app import Core
    from bot.clock import OffsetClock
    from bot.demo import seed

    logging.getLogger().setLevel(logging.WARNING)
    # The person at the terminal runs this copbot: make them a coordinator.
    settings = settings.model_copy(
        update={"admins": ",".join(filter(None, [settings.admins, user]))}
    )
    clock = OffsetClock()
    core = Core(settings, clock=clock)
    if demo:
        await core.services.db.upgrade()
        await seed(core.services)
    await run_chat(core, clock, sys.stdin, sys.stdout, user)
    return 0


async def demo_main(settings: Settings) -> int:
    from bot.app import Core
    from bot.demo import seed

    core = Core(settings)
    await core.services.db.upgrade()
    seeded = await seed(core.services)
    await core.services.db.dispose()
    print("Loaded the sample communities." if seeded else "The sample is already loaded.")
    print("Chat with it: copbot chat  (then try `communities`, or `/as ada`)")
    return 0


async def upgrade_main(settings: Settings) -> int:
    from storage.db import Database

    db = Database(settings.database_url)
    await db.upgrade()
    await db.dispose()
    print("The database schema is up to date.")
    return 0


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


if __name__ == "__main__":
    sys.exit(main())
