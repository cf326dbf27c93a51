"""The web dashboard: page data (sections of `bot.pages`), sign-in from chat, HTTP routes.

`register` adds the `dashboard` command and this package's own page sections; the composition
root mounts the routes (`bot.dashboard.routes.mount`). Other capabilities add sections to a page
with `@page_section` in their own package, never by editing this one.
"""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    from bot.dashboard import commands, community_page, member_page, programme_page

    registry.install(commands, member_page, community_page, programme_page)
