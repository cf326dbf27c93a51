"""Your personal data: `my data` (a copy as JSON) and `forget` (erase it)."""

from __future__ import annotations

from bot import downloads, privacy
from bot.communities.commands import is_last_leader
from bot.context import Context, JobContext
from bot.errors import NotAllowed, UserError
from bot.experts.lookup import resolve_member_token
from bot.messages import Attachment, Choice, Reply
from bot.people import split_person
from bot.permissions import Role
from bot.registry import command, download
from storage import communities, people
from storage.tables import Member

GROUP = "You"
CONFIRM_WORDS = {"confirm", "yes"}
ERASED = (
    "name, platform accounts, profile, expertise, endorsements (given and received), RSVPs, "
    "attendance, named survey answers, questions, roles and messages"
)
KEPT = (
    'Lessons stay, credited to "a former member"; anonymous answers keep counting and can '
    "never be tied to anyone."
)


@command(
    "my data",
    usage="my data",
    summary="A copy of everything copbot holds about you (a JSON file)",
    group=GROUP,
    details="The file lists your profile, platform accounts, communities and roles, expertise, "
    "endorsements, RSVPs and attendance, named survey answers, questions, lessons and the "
    "messages copbot sent you. Anonymous answers are not in it: they cannot be linked to you. "
    f"The download link works for {int(privacy.MY_DATA_TTL.total_seconds() // 3600)} hour.",
)
async def my_data(ctx: Context, args: str) -> Reply:
    data = await privacy.export_bytes(ctx.session, ctx.member, ctx.now)
    url = downloads.link(
        ctx.settings, "my-data", str(ctx.member_id), now=ctx.now, ttl=privacy.MY_DATA_TTL
    )
    return Reply(
        "Everything I hold about you, as a JSON file (only you can see this). "
        "The download link works for one hour. To erase it all, type `forget me`.",
        title="Your data",
        file=Attachment(data, "copbot-my-data.json", "application/json"),
        choices=(Choice("Download link (1 hour)", url=url),),
    )


@download("my-data")
async def my_data_file(jctx: JobContext, arg: str) -> Attachment | None:
    if not arg.isdecimal():
        return None
    member = await people.get_member(jctx.session, int(arg))
    if member is None or member.forgotten_at is not None:
        return None  # a link made before `forget` finds nothing
    data = await privacy.export_bytes(jctx.session, member, jctx.now)
    return Attachment(data, "copbot-my-data.json", "application/json")


@command(
    "forget",
    usage="forget me | forget @person (coordinators) [confirm]",
    summary="Erase your data from copbot (asks to confirm)",
    group=GROUP,
    details=f"Erases your {ERASED}. {KEPT} This cannot be undone; get a copy first with "
    "`my data`. Afterwards copbot does not know you: writing again starts afresh. "
    "Coordinators can forget someone else with `forget @person`. A community's last leader "
    "hands over first.",
    examples=("forget me", "forget me confirm"),
)
async def forget(ctx: Context, args: str) -> Reply:
    who, rest = split_person(args)
    if not who:
        raise UserError("Type `forget me` to erase your data (I will ask you to confirm).")
    confirmed = rest.strip().lower() in CONFIRM_WORDS
    if who.lower() in {"me", "myself"}:
        return await _forget_self(ctx, confirmed)
    if not ctx.member.is_coordinator:
        # Erasing someone is a programme decision (DOMAIN.md §6: data retention is the CoE's).
        raise NotAllowed(
            "Only coordinators can forget someone else. To erase your own data, type `forget me`."
        )
    person = await resolve_member_token(ctx, who)
    if person.id == ctx.member_id:
        return await _forget_self(ctx, confirmed)
    return await _forget_other(ctx, person, confirmed)


async def _forget_self(ctx: Context, confirmed: bool) -> Reply:
    await _check_leaders_remain(ctx, ctx.member, "You are", "you")
    if not confirmed:
        return Reply(
            f"Forget you? I will erase your {ERASED}. {KEPT} This cannot be undone: "
            "get a copy first with `my data`. To go ahead, press the button or type "
            "`forget me confirm`.",
            title="Forget me",
            choices=(
                Choice("Yes, forget me", "forget me confirm", style="danger"),
                Choice("Get my data first", "my data"),
            ),
        )
    await privacy.forget(ctx.session, ctx.settings, ctx.member, ctx.now)
    return Reply(
        "Done: I have forgotten you. If you write to me again, I will meet you as someone new."
    )


async def _forget_other(ctx: Context, person: Member, confirmed: bool) -> Reply:
    name = person.display_name
    await _check_leaders_remain(ctx, person, f"{name} is", "them")
    if not confirmed:
        return Reply(
            f"Forget {name}? I will erase their {ERASED}. {KEPT} This cannot be undone. "
            f"To go ahead, press the button or type `forget @{name} confirm`.",
            title=f"Forget {name}",
            choices=(
                Choice(
                    f"Yes, forget {name}"[:75],
                    f"forget <member:{person.id}> confirm",
                    style="danger",
                ),
            ),
        )
    await privacy.forget(ctx.session, ctx.settings, person, ctx.now)
    return Reply(f'Done: {name} is forgotten. Their lessons now read "a former member".')


async def _check_leaders_remain(ctx: Context, person: Member, subject: str, whom: str) -> None:
    """The rule of `leave`: no community may lose its last leader."""
    assert person.id is not None
    led = await communities.communities_where(ctx.session, person.id, Role.LEADER)
    last = [c for c in led if await is_last_leader(ctx, c, person.id)]
    if last:
        names = ", ".join(c.name for c in last)
        raise UserError(
            f"{subject} the last leader of {names}. Hand over first with "
            f"`role add @person leader in {last[0].slug}`, then forget {whom}."
        )
