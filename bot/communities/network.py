"""The leaders' network and leader onboarding.

The network is a community of kind "network" (`storage.communities.leaders_network`), so its
quarterly meeting is an ordinary meeting of that community and its channel gets the reminders
(and, later, the programme digest). Every leader of an open community is a member of it: they
join when they become a leader anywhere and leave when they lead nowhere any more. Whoever
becomes a leader of a community gets the onboarding once per community (the outbox key): the
programme's handbook (`handbook`, edited by coordinators), a leader's responsibilities
(DOMAIN.md §6.1), the commands leaders use and the invitation to the network.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Context, JobContext
from bot.errors import NotAllowed, UserError
from bot.form_limits import limits_of
from bot.messages import Choice, Form, FormField, Reply, Visibility
from bot.permissions import Role
from bot.registry import command, form
from storage import communities, programme
from storage.communities import NETWORK_KIND
from storage.tables import Community

GROUP = "Communities"
HANDBOOK = "handbook"
HANDBOOK_LIMIT = 8000
NETWORK_SLUGS = ("leaders", "leaders-network", "cop-leaders")
DEFAULT_HANDBOOK = (
    "Welcome to the programme's communities of practice. A community lives on its members' "
    "real questions: meet on a steady rhythm, connect people who can help each other, capture "
    "what you learn as lessons, and ask members how it is going. Coordinators are here to help: "
    "ask them in the leaders' network. (Coordinators: replace this text with `handbook edit`.)"
)
RESPONSIBILITIES = (
    "• Purpose and agenda: keep the charter's purpose and scope current\n"
    "• Rhythm: regular sessions members want to come to\n"
    "• Connect people: welcome newcomers, route questions to those who know\n"
    "• Health: answer the quarterly health check, act on the nudges\n"
    "• Report value: stories and figures for your sponsor"
)
LEADER_COMMANDS = (
    "`charter edit` · `role add @person sme` · `meeting new` · `survey new pulse` · "
    "`health check` · `health` · `lessons pending` · `roles` · `community pause`"
)


async def handbook_text(session: AsyncSession) -> str:
    found = await programme.get_text(session, HANDBOOK)
    return found.body if found is not None and found.body.strip() else DEFAULT_HANDBOOK


async def sync_network(jctx: JobContext, member_id: int) -> None:
    """Put a member in the leaders' network or take them out, after their roles changed."""
    network = await communities.leaders_network(jctx.session)
    if network is None or network.id is None:
        return
    if member_id in await communities.leader_ids(jctx.session):
        await communities.join(jctx.session, network.id, member_id, jctx.now)
        return
    # The network's own organisers (coordinators who run it) stay.
    if Role.LEADER.value in await communities.roles_of(jctx.session, network.id, member_id):
        return
    await communities.leave(jctx.session, network.id, member_id, jctx.now)


def _network_field(network: Community | None) -> tuple[str, str] | None:
    if network is None:
        return None
    return (
        "The leaders' network",
        f"You are now a member of *{network.name}* (`{network.slug}`): leaders of every "
        "community meet there quarterly to share what works. Type `leaders network` to see it.",
    )


async def onboard_leader(jctx: JobContext, member_id: int, community: Community) -> None:
    """Join the network and send the onboarding (once per person and community)."""
    assert community.id is not None
    if community.kind == NETWORK_KIND:
        return
    await sync_network(jctx, member_id)
    network = await communities.leaders_network(jctx.session)
    fields = [
        ("A leader's responsibilities", RESPONSIBILITIES),
        ("Commands leaders use", LEADER_COMMANDS),
    ]
    if (network_field := _network_field(network)) is not None:
        fields.append(network_field)
    handbook = await handbook_text(jctx.session)
    shown = handbook if len(handbook) <= 1200 else handbook[:1200] + "…(more with `handbook`)"
    await jctx.notify_member(
        member_id,
        Reply(
            f"You lead *{community.name}* now. From the programme's handbook:\n{shown}",
            title=f"Welcome, leader of {community.name}",
            fields=tuple(fields),
            choices=(
                Choice("Read the handbook", "handbook"),
                Choice("Edit the charter", f"charter edit in {community.slug}"),
                Choice("Leaders' network", "leaders network"),
            ),
            visibility=Visibility.DIRECT,
        ),
        key=f"leader-onboarding:{community.id}:{member_id}",
        community_id=community.id,
    )


# -- commands -------------------------------------------------------------------------------------


async def create_network(ctx: Context) -> Reply:
    if not ctx.member.is_coordinator:
        raise NotAllowed("Only coordinators can create the leaders' network.")
    network = await communities.leaders_network(ctx.session)
    if network is not None:
        return Reply(
            f"The leaders' network exists already: *{network.name}* (`{network.slug}`).",
            choices=(Choice("Show it", "leaders network"),),
        )
    slug = f"leaders-{ctx.now:%Y%m%d%H%M}"
    for candidate in NETWORK_SLUGS:
        if await communities.find_community_any(ctx.session, candidate) is None:
            slug = candidate
            break
    network = await communities.create_community(
        ctx.session,
        Community(
            slug=slug,
            name="Leaders' network",
            purpose="Leaders of every community share what works, meet quarterly and learn "
            "from each other.",
            kind=NETWORK_KIND,
            timezone=ctx.settings.timezone,
            created_by=ctx.member_id,
            created_at=ctx.now,
        ),
    )
    assert network.id is not None
    await communities.join(ctx.session, network.id, ctx.member_id, ctx.now)
    await communities.grant_role(
        ctx.session, network.id, ctx.member_id, Role.LEADER, ctx.member_id, ctx.now
    )
    conversation = ctx.request.conversation
    linked = ""
    if not conversation.is_direct:
        await communities.link_channel(
            ctx.session,
            network.id,
            platform=conversation.platform,
            conversation_id=conversation.conversation_id,
            tenant_id=conversation.tenant_id,
            raw_ref=dict(conversation.raw) if conversation.raw else None,
            now=ctx.now,
        )
        linked = " This channel is its channel now."
    leaders = sorted(await communities.leader_ids(ctx.session))
    for leader_id in leaders:
        await communities.join(ctx.session, network.id, leader_id, ctx.now)
        if leader_id == ctx.member_id:
            continue
        await ctx.notify_member(
            leader_id,
            Reply(
                f"{ctx.member.display_name} created the *Leaders' network* (`{slug}`): the leaders "
                "of every community, meeting quarterly to share what works. You are in it as a "
                "leader. Type `handbook` for the programme's handbook.",
                title="Welcome to the leaders' network",
                choices=(Choice("Leaders' network", "leaders network"),),
            ),
            key=f"leaders-network:{network.id}:invite:{leader_id}",
        )
    schedule = f'meeting new "Leaders\' network" every 3 months on the 1st 15:00 60m in {slug}'
    return Reply(
        f"Created the *Leaders' network* (`{slug}`) with {len(leaders)} community "
        f"leader{'s' * (len(leaders) != 1)}; leaders join and leave it with their role.{linked}\n"
        f"Schedule its quarterly meeting: `{schedule}`",
        title="Leaders' network created",
        choices=(Choice("Schedule the quarterly meeting", schedule, style="primary"),),
    )


@command(
    "leaders network",
    usage="leaders network [create]",
    summary="The leaders' network: every community's leaders, meeting quarterly",
    group=GROUP,
    details="Coordinators create it with `leaders network create`; typed in a channel, that "
    "channel becomes the network's (its meeting reminders and the programme digest go there).",
    examples=("leaders network", "leaders network create"),
)
async def show_network(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if word == "create":
        return await create_network(ctx)
    if word:
        raise UserError("Type `leaders network` to see it, or `leaders network create`.")
    network = await communities.leaders_network(ctx.session)
    if network is None or network.id is None:
        hint = " Create it with `leaders network create`." if ctx.member.is_coordinator else ""
        return Reply(f"There is no leaders' network yet.{hint}")
    count = await communities.count_members(ctx.session, network.id)
    channels = await communities.channel_links(ctx.session, network.id)
    return Reply(
        f"*{network.name}* (`{network.slug}`): {count} members, the leaders of every community. "
        f"{network.purpose}"
        + ("" if channels else " It has no channel yet: type `community link` in one."),
        title=network.name,
        choices=(
            Choice("Its meetings", f"meetings in {network.slug}"),
            Choice("Handbook", "handbook"),
        ),
    )


@command("handbook", usage="handbook", summary="The programme's handbook for leaders", group=GROUP)
async def show_handbook(ctx: Context, args: str) -> Reply:
    choices = (Choice("Edit the handbook", "handbook edit"),) if ctx.member.is_coordinator else ()
    return Reply(await handbook_text(ctx.session), title="The leaders' handbook", choices=choices)


def handbook_form(current: str) -> Form:
    return Form(
        "handbook.edit",
        "Edit the leaders' handbook",
        (
            FormField(
                "body",
                "Handbook",
                kind="multiline",
                required=True,
                initial=current,
                max_length=HANDBOOK_LIMIT,
                hint="What every new leader reads first: purpose of the programme, who helps, "
                "where to find templates.",
            ),
        ),
    )


@command(
    "handbook edit",
    usage="handbook edit",
    summary="Edit the leaders' handbook (coordinators)",
    group=GROUP,
)
async def edit_handbook(ctx: Context, args: str) -> Reply:
    if not ctx.member.is_coordinator:
        raise NotAllowed("Only coordinators can edit the handbook.")
    current = await handbook_text(ctx.session)
    return Reply("Edit the leaders' handbook.", form=handbook_form(current))


@form("handbook.edit", limits=limits_of(handbook_form("").fields))
async def handbook_submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    if not ctx.member.is_coordinator:
        raise NotAllowed("Only coordinators can edit the handbook.")
    body = (values.get("body") or "").strip()
    if not body:
        return Reply(
            "The handbook needs some text.",
            errors=(("body", "Write what new leaders should read first."),),
        )
    await programme.set_text(
        ctx.session, HANDBOOK, body[:HANDBOOK_LIMIT], member_id=ctx.member_id, now=ctx.now
    )
    return Reply("Saved the handbook: new leaders get it in their welcome.")
