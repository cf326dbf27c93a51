"""Where the dashboard's pages live (relative URLs: pages link to each other on one host)."""

from __future__ import annotations

from urllib.parse import quote

HOME = "/"
PROGRAMME = "/programme"
SIGN_IN = "/signin"
SIGN_OUT = "/signout"
STATIC = "/static"


def community(slug: str) -> str:
    return f"/c/{quote(slug, safe='')}"


def csv(page_url: str, section_key: str) -> str:
    return f"{page_url.rstrip('/')}/csv/{quote(section_key, safe='')}"
