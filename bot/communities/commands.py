"""Communities: create, list, charter, join and leave, members, and channel links."""

from __future__ import annotations

from collections.abc import Mapping

from bot.communities.checks import (
    KINDS,
    check_kind,
    check_language,
    check_slug,
    check_timezone,
    language_text,
)
from bot.communities.goals import goal_lines
from bot.communities.network import onboard_leader, sync_network
from bot.context import Context
from bot.errors import UserError
from bot.form_limits import limits_of
from bot.messages import Choice, Form, FormField, Reply, Visibility
from bot.paging import Page, slice_page, take_page
from bot.permissions import Capability, Role, allows
from bot.registry import command, form
from storage import communities, health, search
from storage.tables import Community

GROUP = "Communities"
CHARTER_FIELDS = {
    "name": ("Name", 120),
    "purpose": ("Purpose", 2000),
    "scope": ("Scope", 2000),
    "goals": ("Goals", 2000),
    "rules": ("Ground rules", 2000),
    "kind": ("Kind", 40),
    "timezone": ("Timezone", 64),
    "language": ("Search language", 32),
}
MEMBERS_PER_PAGE = 20
COMMUNITIES_PER_PAGE = 10


def charter_reply(
    community: Community,
    leaders: list[str],
    members: int,
    roles: set[Role] | None = None,
    measured: list[str] | None = None,
) -> Reply:
    """The charter, with only the buttons the reader may use (`roles` are theirs); `measured`
    are its goals with a target and status (bot/communities/goals.py)."""
    roles = roles or set()
    fields = [
        ("Purpose", community.purpose or "(not written yet)"),
        ("Scope", community.scope or "(not written yet)"),
        ("Goals", community.goals or "(not written yet)"),
        *([("Goals with a target", "\n".join(measured))] if measured else []),
        ("Ground rules", community.ground_rules or "(not written yet)"),
        ("Kind", KINDS.get(community.kind, community.kind)),
        ("Leaders", ", ".join(leaders) or "(none yet)"),
        ("Members", str(members)),
        ("Timezone", community.timezone),
        ("Search language", language_text(community.language)),
    ]
    return Reply(
        f"{community.name} (`{community.slug}`)",
        title=f"Charter of {community.name}",
        fields=tuple(fields),
        choices=_charter_choices(community, roles),
    )


def _charter_choices(community: Community, roles: set[Role]) -> tuple[Choice, ...]:
    choices = []
    if Role.MEMBER not in roles:
        choices.append(Choice("Join", f"join {community.slug}", style="primary"))
    if allows(roles, Capability.SEARCH):
        choices.append(Choice("Members", f"members in {community.slug}"))
    if allows(roles, Capability.EDIT_CHARTER):
        choices.append(Choice("Edit charter", f"charter edit in {community.slug}"))
    return tuple(choices)


def charter_form(community: Community | None) -> Form:
    def initial(value: str | None) -> str | None:
        return value or None

    fields = [
        FormField(
            "name",
            "Name",
            required=True,
            max_length=120,
            initial=initial(community.name if community else None),
        ),
        FormField(
            "purpose",
            "Purpose",
            "multiline",
            required=True,
            max_length=2000,
            initial=initial(community.purpose if community else None),
            placeholder="Why this community exists and for whom",
        ),
        FormField(
            "scope",
            "Scope",
            "multiline",
            max_length=2000,
            initial=initial(community.scope if community else None),
        ),
        FormField(
            "goals",
            "Goals",
            "multiline",
            max_length=2000,
            initial=initial(community.goals if community else None),
        ),
        FormField(
            "rules",
            "Ground rules",
            "multiline",
            max_length=2000,
            initial=initial(community.ground_rules if community else None),
        ),
        FormField(
            "kind",
            "Kind",
            "choice",
            required=True,
            options=(
                ("Practitioner-driven", "practitioner"),
                ("Organisation-driven", "organisation"),
            ),
            initial=community.kind if community else "practitioner",
        ),
        FormField(
            "timezone",
            "Timezone",
            required=True,
            max_length=64,
            initial=community.timezone if community else "UTC",
            placeholder="Europe/Berlin",
        ),
        FormField(
            "language",
            "Search language",
            max_length=32,
            initial=community.language if community else None,
            placeholder="english, german, french… or none",
        ),
    ]
    if community is None:
        fields.insert(
            0,
            FormField(
                "slug",
                "Short name",
                required=True,
                max_length=48,
                placeholder="data-eng",
                hint="lowercase, digits and dashes",
            ),
        )
        return Form("community.new", "New community", tuple(fields), "Create")
    return Form(
        f"community.edit:{community.slug}", f"Edit {community.name}"[:24], tuple(fields), "Save"
    )


async def leader_names(ctx: Context, community: Community) -> list[str]:
    assert community.id is not None
    leaders = await communities.members_with_role(ctx.session, community.id, Role.LEADER)
    return [m.display_name for m in leaders]


@command(
    "communities",
    usage="communities [page N]",
    summary="List the communities you can join",
    group=GROUP,
)
async def list_all(ctx: Context, args: str) -> Reply:
    _rest, number = take_page(args)
    found = await communities.list_communities(ctx.session)
    if not found:
        return Reply(
            "There are no communities yet. Start one with `community new`.",
            choices=(Choice("New community", "community new"),),
        )
    page, shown = slice_page(found, number, COMMUNITIES_PER_PAGE)
    mine = {c.id for c in await communities.communities_of(ctx.session, ctx.member_id)}
    lines = []
    joinable: list[Choice] = []
    for community, count in shown:
        marker = " (you are a member)" if community.id in mine else ""
        purpose = f" — {community.purpose[:120]}" if community.purpose else ""
        lines.append(f"*{community.name}* `{community.slug}`, {count} members{marker}{purpose}")
        if community.id not in mine:
            joinable.append(Choice(f"Join {community.slug}", f"join {community.slug}"))
    return Reply(
        "\n".join(lines),
        title="Communities",
        choices=(*joinable, *page.more("communities")),
        context=page.footer() if page.pages > 1 else None,
    )


@command(
    "community new",
    usage="community new [<short-name> <name>]",
    summary="Start a community (you become its leader)",
    group=GROUP,
    details="With no arguments a form asks for the whole charter.",
    examples=("community new data-eng Data Engineering",),
)
async def create(ctx: Context, args: str) -> Reply:
    if not args.strip():
        return Reply("Fill in the charter of the new community.", form=charter_form(None))
    slug, _, name = args.strip().partition(" ")
    return await _create(ctx, {"slug": slug, "name": name.strip().strip('"') or slug})


@form("community.new", limits=limits_of(charter_form(None).fields))
async def create_from_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    return await _create(ctx, values)


async def _create(ctx: Context, values: Mapping[str, str]) -> Reply:
    slug = check_slug(values.get("slug", ""))
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        raise UserError(
            "Give the community a name of at most 120 characters.",
            fields={"name": "Required, at most 120 characters."},
        )
    if await communities.find_community(ctx.session, slug):
        raise UserError(
            f"`{slug}` is taken. Pick another short name.",
            fields={"slug": "That short name is taken."},
        )
    community = await communities.create_community(
        ctx.session,
        Community(
            slug=slug,
            name=name,
            purpose=values.get("purpose", "")[:2000],
            scope=values.get("scope", "")[:2000],
            goals=values.get("goals", "")[:2000],
            ground_rules=values.get("rules", "")[:2000],
            kind=check_kind(values.get("kind", "")),
            timezone=check_timezone(values.get("timezone") or ctx.settings.timezone),
            language=check_language(values.get("language") or ""),
            created_by=ctx.member_id,
            created_at=ctx.now,
        ),
    )
    assert community.id is not None
    await communities.join(ctx.session, community.id, ctx.member_id, ctx.now)
    await communities.grant_role(
        ctx.session, community.id, ctx.member_id, Role.LEADER, ctx.member_id, ctx.now
    )
    await onboard_leader(ctx, ctx.member_id, community)
    ctx.member.current_community_id = community.id
    ctx.session.add(ctx.member)
    return Reply(
        f"Created *{name}* (`{slug}`). You are its first member and leader.\n"
        f"Next: `charter edit` to write the purpose and ground rules, and "
        f"`community link` in its channel so it gets reminders there.",
        choices=(Choice("Edit charter", f"charter edit in {slug}"),),
    )


@command("charter", usage="charter [community]", summary="Show a community's charter", group=GROUP)
async def show_charter(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args or None)
    assert community.id is not None
    return charter_reply(
        community,
        await leader_names(ctx, community),
        await communities.count_members(ctx.session, community.id),
        await ctx.roles(community),
        await goal_lines(ctx, community),
    )


@command(
    "charter edit",
    usage="charter edit [<field> <text>]",
    summary="Change the charter (leaders)",
    group=GROUP,
    details="Fields: " + ", ".join(CHARTER_FIELDS) + ". With no arguments a form opens.",
    examples=("charter edit purpose Help data engineers ship reliable pipelines",),
)
async def edit_charter(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.EDIT_CHARTER, community)
    if not args.strip():
        return Reply(f"Edit the charter of {community.name}.", form=charter_form(community))
    field, _, text = args.strip().partition(" ")
    field = field.lower()
    if field == "ground":
        field, text = "rules", text.removeprefix("rules").strip()
    if field not in CHARTER_FIELDS:
        raise UserError(
            "You can edit: "
            + ", ".join(f"`{f}`" for f in CHARTER_FIELDS)
            + ". For example `charter edit purpose …`."
        )
    await _apply_charter(ctx, community, {field: text})
    label = CHARTER_FIELDS[field][0]
    return Reply(
        f"Updated the {label.lower()} of {community.name}.",
        choices=(Choice("Show charter", f"charter {community.slug}"),),
    )


@form("community.edit", limits=limits_of(charter_form(None).fields))
async def edit_charter_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    community = await ctx.community(values.get("_arg"))
    await ctx.require(Capability.EDIT_CHARTER, community)
    await _apply_charter(ctx, community, values)
    return Reply(
        f"Saved the charter of {community.name}.",
        choices=(Choice("Show charter", f"charter {community.slug}"),),
    )


async def _apply_charter(ctx: Context, community: Community, values: Mapping[str, str]) -> None:
    for field, (label, limit) in CHARTER_FIELDS.items():
        if field not in values:
            continue
        value = values[field].strip()
        if len(value) > limit:
            raise UserError(
                f"The {label.lower()} can be at most {limit} characters.",
                fields={field: f"At most {limit} characters."},
            )
        if field == "name":
            if not value:
                raise UserError("The name can't be empty.", fields={"name": "Required."})
            community.name = value
        elif field == "kind":
            community.kind = check_kind(value)
        elif field == "timezone":
            community.timezone = check_timezone(value)
            health.look_again(community)
        elif field == "language":
            language = check_language(value)
            if language != community.language:
                community.language = language
                ctx.session.add(community)
                assert community.id is not None
                # Its lessons are indexed again in the new language (PostgreSQL).
                await search.reindex_community(ctx.session, community.id)
        elif field == "rules":
            community.ground_rules = value
        else:
            setattr(community, field, value)
    ctx.session.add(community)


@command(
    "join",
    usage="join <community>",
    summary="Join a community",
    group=GROUP,
    examples=("join data-eng",),
)
async def join(ctx: Context, args: str) -> Reply:
    if not args.strip():
        raise UserError("Which community? Type `join <community>`; `communities` lists them.")
    community = await ctx.community(args.split()[0])
    assert community.id is not None
    if (
        community.kind == communities.NETWORK_KIND
        and not ctx.member.is_coordinator
        and ctx.member_id not in await communities.leader_ids(ctx.session)
    ):
        raise UserError(
            f"{community.name} is for the leaders of the communities: they are in it while "
            "they lead one. Type `communities` to find one to join."
        )
    if not await communities.join(ctx.session, community.id, ctx.member_id, ctx.now):
        return Reply(f"You are already a member of {community.name}.")
    await ctx.record_activity(community.id, ctx.member_id, "join")
    await ctx.notify_member(
        ctx.member_id,
        welcome_reply(community, await leader_names(ctx, community)),
        key=f"welcome:{community.id}:{ctx.member_id}:{ctx.now.isoformat()}",
        community_id=community.id,
    )
    return Reply(f"Welcome to *{community.name}*! I've sent you its charter in a direct message.")


def welcome_reply(community: Community, leaders: list[str]) -> Reply:
    charter_parts = (("Scope", community.scope), ("Goals", community.goals))
    return Reply(
        f"Welcome to {community.name}! {community.purpose}".strip(),
        title=f"Welcome to {community.name}",
        fields=(
            # The charter as written so far (the purpose is the text above).
            *((label, value) for label, value in charter_parts if value and value.strip()),
            ("Ground rules", community.ground_rules or "Be kind, share generously, ask freely."),
            ("Leaders", ", ".join(leaders) or "(none yet)"),
            (
                "Three things to try first",
                "`expert <topic>` find someone who knows\n"
                "`lessons <words>` search what others learned\n"
                "`meetings` see the next sessions",
            ),
        ),
        choices=(
            Choice("Upcoming meetings", f"meetings in {community.slug}"),
            Choice("Charter", f"charter {community.slug}"),
        ),
        visibility=Visibility.DIRECT,
    )


async def is_last_leader(ctx: Context, community: Community, member_id: int) -> bool:
    """A community must never be left without a leader: its last one hands over first."""
    assert community.id is not None
    if Role.LEADER.value not in await communities.roles_of(ctx.session, community.id, member_id):
        return False
    leaders = await communities.members_with_role(ctx.session, community.id, Role.LEADER)
    return len(leaders) <= 1


@command("leave", usage="leave [community]", summary="Leave a community", group=GROUP)
async def leave(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.split()[0] if args.strip() else None)
    assert community.id is not None
    held = await communities.roles_of(ctx.session, community.id, ctx.member_id)
    if await is_last_leader(ctx, community, ctx.member_id):
        raise UserError(
            f"You are the last leader of {community.name}. Hand over first with "
            f"`role add @person leader in {community.slug}`, then leave."
        )
    if not await communities.leave(ctx.session, community.id, ctx.member_id, ctx.now):
        return Reply(f"You are not a member of {community.name}.")
    # A role is held as a member: whoever leaves gives up leading, facilitating, mentoring and
    # SME duties there (a sponsor funds the community and stays one).
    given_up = sorted(r for r in held if r != Role.SPONSOR.value)
    for role in given_up:
        await communities.revoke_role(ctx.session, community.id, ctx.member_id, role)
    if Role.LEADER.value in given_up:
        await sync_network(ctx, ctx.member_id)
    if ctx.member.current_community_id == community.id:
        ctx.member.current_community_id = None
        ctx.session.add(ctx.member)
    roles_note = f" You are no longer its {', '.join(given_up)}." if given_up else ""
    return Reply(
        f"You have left {community.name}.{roles_note} You can come back any time with "
        f"`join {community.slug}`."
    )


@command(
    "members", usage="members [community] [page N]", summary="Who is in a community", group=GROUP
)
async def members(ctx: Context, args: str) -> Reply:
    args, number = take_page(args)
    community = await ctx.community(args.split()[0] if args.strip() else None)
    assert community.id is not None
    if not await ctx.can(Capability.SEARCH, community):
        raise UserError(f"Join {community.name} to see its members: `join {community.slug}`.")
    total = await communities.count_members(ctx.session, community.id)
    page = Page(number, MEMBERS_PER_PAGE, total)
    if page.number > page.pages:
        page = Page(page.pages, MEMBERS_PER_PAGE, total)
    people = await communities.members_of(
        ctx.session, community.id, offset=page.offset, limit=MEMBERS_PER_PAGE
    )
    roles: dict[int, list[str]] = {}
    for role, member in await communities.role_holders(ctx.session, community.id):
        assert member.id is not None
        roles.setdefault(member.id, []).append(role)
    lines = []
    for person in people:
        assert person.id is not None
        extra = [person.department] if person.department else []
        extra += roles.get(person.id, [])
        lines.append(f"{person.display_name}" + (f" ({', '.join(extra)})" if extra else ""))
    return Reply(
        "\n".join(lines) or "No members yet.",
        title=f"Members of {community.name}",
        context=page.footer(),
        choices=page.more(f"members {community.slug}"),
    )


@command(
    "community use",
    usage="community use <community>",
    summary="Make a community the default for your commands",
    group=GROUP,
)
async def use(ctx: Context, args: str) -> Reply:
    if not args.strip():
        raise UserError("Which one? Type `community use <community>`.")
    community = await ctx.community(args.split()[0])
    return Reply(f"Your commands now go to {community.name} unless you add `in <community>`.")


@command(
    "community link",
    usage="community link [community]",
    summary="Post this community's reminders and news in this channel (leaders)",
    group=GROUP,
)
async def link(ctx: Context, args: str) -> Reply:
    if ctx.request.conversation.is_direct:
        raise UserError("Run `community link` in the channel you want to link, not in a DM.")
    community = await ctx.community(args.split()[0] if args.strip() else None)
    await ctx.require(Capability.LINK_CHANNEL, community)
    conversation = ctx.request.conversation
    assert community.id is not None
    await communities.link_channel(
        ctx.session,
        community.id,
        platform=conversation.platform,
        conversation_id=conversation.conversation_id,
        tenant_id=conversation.tenant_id,
        raw_ref=dict(conversation.raw) if conversation.raw else None,
        now=ctx.now,
    )
    return Reply(
        f"This channel now belongs to {community.name}: reminders and news come here.",
        visibility=Visibility.CHANNEL,
    )
