"""Installing copbot into many Slack workspaces and Grid orgs: Bolt's OAuth flow, configured.

`GET /slack/install` sets a state cookie and sends the installer to Slack's authorize page;
Slack sends them back to `GET /slack/oauth_redirect` with a code, which Bolt exchanges through
`oauth.v2.access` and hands to the installation store (copbot's database). A forged, replayed
or expired state (10 minutes) gets a page saying what happened and how to start again.
"""

from __future__ import annotations

import html

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse

from adapters.slack.install_store import DatabaseInstallationStore, DatabaseStateStore
from adapters.slack.manifest import BOT_SCOPES
from bot.clock import Clock
from bot.config import Settings
from storage.db import Database

STATE_SECONDS = 600
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;line-height:1.5}}
</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""
EXPIRED = (
    "This install link has expired or was not started in this browser. Nothing was installed. "
    'Please <a href="{install}">start the installation again</a> (a link works once, for 10 '
    "minutes, in the browser that opened it)."
)
FAILURES = {
    "invalid_state": EXPIRED,
    "invalid_browser": EXPIRED,
    "missing_code": (
        "Slack did not say which workspace to install into. Nothing was installed. Please "
        '<a href="{install}">start the installation again</a>.'
    ),
    "access_denied": (
        "The installation was cancelled in Slack. Nothing was installed. You can "
        '<a href="{install}">start it again</a> whenever you like.'
    ),
}
FAILED = (
    "Slack could not complete the installation ({reason}). Nothing was installed. Please "
    '<a href="{install}">try again</a>; if it keeps failing, tell the person who runs copbot.'
)


def oauth_settings(settings: Settings, db: Database, clock: Clock) -> AsyncOAuthSettings:
    assert settings.slack_client_id and settings.slack_client_secret
    scopes = settings.slack_scope_list or list(BOT_SCOPES)
    store = DatabaseInstallationStore(db, settings.slack_client_id, clock)
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=scopes,
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        # Straight on to Slack's "Allow" page (an "Add to Slack" page would be one more click).
        install_page_rendering_enabled=False,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=DatabaseStateStore(db, clock, STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
        authorization_url=settings.slack_authorize_url,
    )
    oauth.callback_options = AsyncCallbackOptions(success=_success, failure=_failure)
    return oauth


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    # Bolt's own page: it sends the installer's browser into Slack, to the workspace.
    return await args.default.success(args)


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    install = html.escape(args.settings.install_path)
    reason = html.escape(args.reason or "unknown")
    text = FAILURES.get(args.reason, FAILED).format(install=install, reason=reason)
    body = _PAGE.format(title="copbot was not installed", text=text)
    return BoltResponse(
        status=args.suggested_status_code,
        body=body,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
        },
    )
