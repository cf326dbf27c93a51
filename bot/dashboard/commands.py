"""`dashboard`: a personal, single-use sign-in link to the web pages."""

from __future__ import annotations

from bot.context import Context
from bot.dashboard import signin
from bot.messages import Choice, Reply, Visibility
from bot.registry import command

GROUP = "Getting started"


@command(
    "dashboard",
    usage="dashboard",
    summary="A sign-in link to your web dashboard (communities, meetings, figures)",
    group=GROUP,
    details="The link is personal, works once and expires after "
    f"{int(signin.LINK_TTL.total_seconds() // 60)} minutes: type `dashboard` again for a new "
    "one. Leaders, sponsors and coordinators see their communities' figures there.",
)
async def dashboard(ctx: Context, args: str) -> Reply:
    link = signin.new_link(ctx.settings, ctx.member_id, ctx.now)
    minutes = int(signin.LINK_TTL.total_seconds() // 60)
    return Reply(
        f"Here is your personal sign-in link to the dashboard. It works once, for the next "
        f"{minutes} minutes; don't share it. Type `dashboard` again whenever you need a new one.",
        title="Your dashboard",
        choices=(Choice("Open my dashboard", url=link, style="primary"),),
        # Only the asker sees it, even when asked in a channel.
        visibility=Visibility.PRIVATE,
    )
