"""The baseline of `bench.ack`: a bare Bolt AsyncApp that only acknowledges `/cop`.

Here, not in bench/: only adapters and tests may import a platform SDK.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=… PORT=… python -m tests.slack.bare_bolt

The same stack as copbot (Bolt's AsyncApp on aiohttp, signature verification on), with
`GET /healthz` for the start-up timing, and nothing else: no database, no work after the ack.
"""

from __future__ import annotations

import os
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> web.Application:
    token = os.environ["SLACK_BOT_TOKEN"]
    bolt = AsyncApp(
        client=AsyncWebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @bolt.command("/cop")
    async def cop(ack: Any) -> None:
        await ack()

    app = bolt.web_app(path="/slack/events")

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    # As Bolt's own `AsyncApp.start` runs it: aiohttp's defaults.
    web.run_app(build(), host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
