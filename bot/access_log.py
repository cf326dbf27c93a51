"""The HTTP access log, without query strings.

A download link carries its signature in the query string (`/files/my-data/12?exp=…&sig=…`):
whoever reads a log with aiohttp's default format ("%r", the whole request line) could fetch
the file while the link lives. This logger writes the path only, and strips the query from
the Referer too.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


class PathOnlyAccessLogger(AbstractAccessLogger):
    """aiohttp's default line (`%a "%r" %s %b "%{Referer}i" "%{User-Agent}i"`), minus queries."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        version = f"{request.version.major}.{request.version.minor}"
        self.logger.info(
            '%s "%s %s HTTP/%s" %s %s %.3fs "%s" "%s"',
            request.remote or "-",
            request.method,
            request.path,  # never `path_qs` or `raw_path`: they carry the query string
            version,
            response.status,
            response.body_length,
            time,
            _without_query(request.headers.get("Referer", "-")),
            request.headers.get("User-Agent", "-"),
        )
