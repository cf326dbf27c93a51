"""Friendly answers for what no route handles: unknown paths (404), a method a path does not
take (405) and any unexpected failure (500), on every path `copbot serve` answers.

A browser gets a page in the dashboard's look; anything else (a platform, a monitoring probe,
`curl`) a short JSON answer when it accepts JSON, else one line of text. Never a stack trace:
a failure is logged here, server-side. Answers a route chose itself (a 404 of its own with its
own words, a redirect) pass through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.dashboard.routes import page, secured

_LOGGER = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# status -> (template, the words for a non-HTML client)
_ANSWERS = {
    404: ("not_found.html", "There is nothing at this address."),
    405: ("method_not_allowed.html", "This address does not take that kind of request."),
    500: ("error.html", "Something went wrong on our side; nothing was changed."),
}


def _aiohttp_default(exc: web.HTTPException) -> bool:
    """Whether aiohttp made this answer up (no route, wrong method) rather than a handler
    saying something of its own."""
    return exc.text == f"{exc.status}: {exc.reason}"


def wants_html(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def answer(request: web.Request, status: int) -> web.StreamResponse:
    template, words = _ANSWERS[status]
    if wants_html(request):
        values = {"what": "page"} if status == 404 else {}
        return secured(page(request, template, values, status=status))
    if "json" in request.headers.get("Accept", ""):
        return web.json_response({"status": status, "error": words}, status=status)
    return web.Response(status=status, text=words)


@web.middleware
async def friendly_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status not in (404, 405) or not _aiohttp_default(exc):
            raise
        response = answer(request, exc.status)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        _LOGGER.exception("%s %s failed", request.method, request.path)
        return answer(request, 500)
