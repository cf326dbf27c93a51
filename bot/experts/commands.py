"""Expert lookup verbs: expertise profiles, SMEs per topic, endorsements, availability.

Asking and routing a question is `bot.experts.questions`; describing people and topics is
`bot.experts.lookup`; gaps and evidence decay are `bot.experts.coverage`.
"""

from __future__ import annotations

from bot import activity
from bot.context import Context
from bot.errors import UserError
from bot.experts.lookup import (
    DEFAULT_WEEKLY_CAP,
    availability_word,
    available_ranking,
    describe_person,
    level_text,
    local_time,
    parse_level,
    resolve_member_token,
    shares_community,
    topic_for,
    weekly_cap,
)
from bot.lessons.access import reader_of
from bot.messages import Choice, Reply, Visibility
from bot.paging import slice_page, take_page
from bot.people import split_person
from bot.permissions import Capability, Role
from bot.registry import command
from bot.topics import canonical, normalise, split_topics
from storage import communities, experts, lessons, people
from storage.tables import Community, Member

GROUP = "Experts"
PER_PAGE = 5
MAX_TOPICS = 10
AVAILABILITY_WORDS = {
    "open": "open to questions (routed questions welcome)",
    "mentor": "open to questions and available as a mentor",
    "busy": "busy: listed, but no questions routed for now",
    "do-not-route": "never routed questions and left out of expert results",
}


# -- expertise ------------------------------------------------------------------------------------


@command(
    "expertise",
    usage="expertise",
    summary="Your expertise topics (add or remove them)",
    group=GROUP,
    details="`expertise add <topics> [level N]` and `expertise remove <topic>` change them.",
)
async def my_expertise(ctx: Context, args: str) -> Reply:
    return await _profile(ctx, ctx.member)


@command(
    "expertise add",
    usage="expertise add <topic>[, <topic>...] [level 1-4]",
    summary="Say what you know, so people can find you",
    group=GROUP,
    details="Levels: 1 aware, 2 practitioner, 3 advanced (works independently, shares), "
    "4 expert (guides and teaches). Adding a topic again changes its level.",
    examples=("expertise add kubernetes, terraform level 3", "expertise add data quality"),
)
async def add_expertise(ctx: Context, args: str) -> Reply:
    rest, level = parse_level(args)
    words = split_topics(rest)
    if not words:
        raise UserError("Which topics? E.g. `expertise add kubernetes, terraform level 3`.")
    if len(words) > MAX_TOPICS:
        raise UserError(f"Add at most {MAX_TOPICS} topics at a time.")
    added: list[str] = []
    changed: list[str] = []
    for word in words:
        topic = await topic_for(ctx, word, create=True)
        new = await experts.add_expertise(
            ctx.session, ctx.member_id, topic, level=level, now=ctx.now
        )
        label = topic if topic == word else f"{topic} (you typed {word})"
        (added if new else changed).append(label)
    lines = []
    if added:
        lines.append(f"Added to your expertise: {', '.join(added)}.")
    if changed:
        lines.append(f"Already on your profile, updated: {', '.join(changed)}.")
    lines.append(f"Level: {level_text(level)}." if level else "Add `level 1-4` to say how well.")
    return Reply(
        " ".join(lines),
        choices=(Choice("My profile", "profile"), Choice("Availability", "availability")),
    )


@command(
    "expertise remove",
    usage="expertise remove <topic>",
    summary="Take a topic off your profile",
    group=GROUP,
    examples=("expertise remove terraform",),
)
async def remove_expertise(ctx: Context, args: str) -> Reply:
    if not args.strip():
        raise UserError("Which topic? E.g. `expertise remove terraform`.")
    mine = [e.topic for e in await experts.expertise_of(ctx.session, ctx.member_id)]
    topic = canonical(args, mine) or normalise(args)
    if not await experts.remove_expertise(ctx.session, ctx.member_id, topic, ctx.now):
        listed = ", ".join(mine) or "none yet"
        return Reply(f"`{topic}` is not on your profile. Your topics: {listed}.")
    return Reply(
        f"Removed {topic} from your expertise.",
        choices=(Choice("Undo", f"expertise add {topic}"),),
    )


# -- profile --------------------------------------------------------------------------------------


@command(
    "profile",
    usage="profile [@person]",
    summary="Expertise, evidence and availability of someone (or you)",
    group=GROUP,
    examples=("profile", "profile @ada"),
)
async def profile(ctx: Context, args: str) -> Reply:
    if not args.strip():
        return await _profile(ctx, ctx.member)
    who, _rest = split_person(args)
    return await _profile(ctx, await resolve_member_token(ctx, who))


async def _profile(ctx: Context, member: Member) -> Reply:
    assert member.id is not None
    own = member.id == ctx.member_id
    availability = await experts.availability_of(ctx.session, member.id)
    if (
        not own
        and availability is not None
        and availability.visibility == "community"
        and not await shares_community(ctx, member.id)
    ):
        return Reply(
            f"{member.display_name} shows their profile to people in their communities only."
        )
    topics = await experts.expertise_of(ctx.session, member.id)
    endorsements = await experts.endorsement_counts(ctx.session, member.id)
    evidence = await experts.lesson_evidence(ctx.session, member.id)
    designations: dict[str, list[str]] = {}
    for designation in await experts.designations_of(ctx.session, member.id):
        community = await communities.get_community(ctx.session, designation.community_id)
        if community is not None:
            designations.setdefault(designation.topic, []).append(community.name)
    levels = {e.topic: e.level for e in topics}
    names = list(dict.fromkeys([*levels, *designations, *evidence, *endorsements]))
    lines = []
    for topic in names:
        why = []
        if topic in designations:
            why.append("SME in " + ", ".join(designations[topic]))
        if topic in levels:
            why.append(level_text(levels[topic]))
        authored, validated = evidence.get(topic, (0, 0))
        if authored:
            why.append(f"{authored} lesson{'s' * (authored != 1)}")
        if validated:
            why.append(f"validated {validated} lesson{'s' * (validated != 1)}")
        if endorsements.get(topic):
            n = endorsements[topic]
            why.append(f"{n} endorsement{'s' * (n != 1)}")
        lines.append(f"*{topic}* — " + "; ".join(why))
    word = availability_word(availability)
    fields = [
        ("Title", member.title or "—"),
        ("Department", member.department or "—"),
        (
            "Timezone",
            f"{member.timezone} ({local_time(ctx, member)} there)" if member.timezone else "—",
        ),
        ("Availability", AVAILABILITY_WORDS[word]),
    ]
    if own:
        cap = weekly_cap(availability)
        fields.append(("Questions per week", str(cap)))
        fields.append(
            (
                "Visible to",
                "your communities"
                if availability and availability.visibility == "community"
                else "everyone in the organisation",
            )
        )
    body = "\n".join(lines) or (
        "No expertise listed yet. Add some with `expertise add kubernetes, terraform level 3`."
        if own
        else f"{member.display_name} has not listed any expertise yet."
    )
    if own:
        choices: tuple[Choice, ...] = (
            Choice("Add expertise", "expertise add"),
            Choice("Availability", "availability"),
        )
    else:
        choices = tuple(
            Choice(f"Endorse for {topic}", f"endorse <member:{member.id}> {topic}")
            for topic in names[:2]
        )
        if word in ("open", "mentor") and names:
            choices += (Choice(f"Ask about {names[0]}", f"expert ask {member.id} {names[0]}"),)
    return Reply(
        body, title=f"Profile of {member.display_name}", fields=tuple(fields), choices=choices
    )


# -- availability ---------------------------------------------------------------------------------


@command(
    "availability",
    usage="availability [open|mentor|busy|do-not-route|cap <N>|visible org|visible community]",
    summary="Whether copbot may route questions to you, and who sees your profile",
    group=GROUP,
    details="open: questions welcome. mentor: also open to mentoring newcomers. busy: stay "
    "listed but get no routed questions. do-not-route: left out of expert results. "
    f"cap N: at most N routed questions a week (default {DEFAULT_WEEKLY_CAP}).",
    examples=("availability busy", "availability cap 3", "availability visible community"),
)
async def availability(ctx: Context, args: str) -> Reply:
    words = args.strip().lower().split()
    current = await experts.availability_of(ctx.session, ctx.member_id)
    if not words:
        word = availability_word(current)
        return Reply(
            f"You are *{word}*: {AVAILABILITY_WORDS[word]}. "
            f"At most {weekly_cap(current)} routed questions a week.",
            title="Your availability",
            choices=tuple(
                Choice(name, f"availability {name}") for name in AVAILABILITY_WORDS if name != word
            ),
        )
    head = words[0].replace("_", "-")
    values: dict[str, object]
    if head in ("open", "on", "available"):
        values = {"open_to_questions": True, "do_not_route": False, "mentor": False}
        head = "open"
    elif head == "mentor":
        values = {"open_to_questions": True, "do_not_route": False, "mentor": True}
    elif head in ("busy", "off", "away"):
        values = {"open_to_questions": False, "do_not_route": False}
        head = "busy"
    elif head in ("do-not-route", "dnr", "never", "hidden") or words[:3] == ["do", "not", "route"]:
        values = {"do_not_route": True, "open_to_questions": False}
        head = "do-not-route"
    elif head == "cap":
        if len(words) < 2 or not words[1].isdigit() or not 1 <= int(words[1]) <= 50:
            raise UserError("Give a number from 1 to 50, e.g. `availability cap 3`.")
        await experts.set_availability(
            ctx.session, ctx.member_id, now=ctx.now, weekly_cap=int(words[1])
        )
        return Reply(f"At most {int(words[1])} routed questions a week will reach you.")
    elif head in ("visible", "visibility"):
        scope = words[1] if len(words) > 1 else ""
        if scope.startswith("org") or scope in ("everyone", "all"):
            scope = "org"
        elif scope.startswith("comm"):
            scope = "community"
        else:
            raise UserError("Type `availability visible org` or `availability visible community`.")
        await experts.set_availability(ctx.session, ctx.member_id, now=ctx.now, visibility=scope)
        who = "everyone in the organisation" if scope == "org" else "people in your communities"
        return Reply(f"Your expertise profile is now visible to {who}.")
    else:
        raise UserError(
            "Type `availability open`, `mentor`, `busy`, `do-not-route`, `cap <N>` or "
            "`visible org|community`."
        )
    await experts.set_availability(ctx.session, ctx.member_id, now=ctx.now, **values)
    return Reply(f"You are now *{head}*: {AVAILABILITY_WORDS[head]}.")


# -- SMEs -----------------------------------------------------------------------------------------


async def _sme_args(ctx: Context, args: str) -> tuple[Community, Member, str]:
    who, rest = split_person(args)
    if not who or not rest.strip():
        raise UserError("Type `sme add @person <topic>`, e.g. `sme add @ada kubernetes`.")
    community = await ctx.community()
    await ctx.require(Capability.DESIGNATE_SME, community)
    person = await resolve_member_token(ctx, who)
    return community, person, rest


@command(
    "sme add",
    usage="sme add @person <topic> [in community]",
    summary="Name someone subject-matter expert for a topic (leaders)",
    group=GROUP,
    details="SMEs rank first in `expert <topic>`, may validate lessons on their topics and "
    "hear about new lessons there.",
    examples=("sme add @ada kubernetes",),
)
async def sme_add(ctx: Context, args: str) -> Reply:
    community, person, rest = await _sme_args(ctx, args)
    assert community.id is not None and person.id is not None
    topic = await topic_for(ctx, rest, create=True)
    if not await experts.designate(
        ctx.session, community.id, person.id, topic, by=ctx.member_id, now=ctx.now
    ):
        return Reply(f"{person.display_name} is already an SME for {topic} in {community.name}.")
    await communities.grant_role(
        ctx.session, community.id, person.id, Role.SME, ctx.member_id, ctx.now
    )
    await ctx.notify_member(
        person.id,
        Reply(
            f"{ctx.member.display_name} named you subject-matter expert for *{topic}* in "
            f"{community.name}. You can validate lessons on {topic}; people may ask you "
            "questions (set your limits with `availability`).",
            visibility=Visibility.DIRECT,
            choices=(Choice("Availability", "availability"),),
        ),
        key=f"sme:{community.id}:{person.id}:{topic}",
        community_id=community.id,
    )
    return Reply(
        f"{person.display_name} is now an SME for {topic} in {community.name}.",
        choices=(Choice("Undo", f"sme remove <member:{person.id}> {topic} in {community.slug}"),),
    )


@command(
    "sme remove",
    usage="sme remove @person <topic> [in community]",
    summary="End someone's SME designation for a topic (leaders)",
    group=GROUP,
)
async def sme_remove(ctx: Context, args: str) -> Reply:
    community, person, rest = await _sme_args(ctx, args)
    assert community.id is not None and person.id is not None
    designated = [
        d.topic for d in await experts.designations_of(ctx.session, person.id, community.id)
    ]
    topic = canonical(rest, designated) or normalise(rest)
    if not await experts.undesignate(ctx.session, community.id, person.id, topic, ctx.now):
        return Reply(f"{person.display_name} is not an SME for {topic} in {community.name}.")
    if not await experts.designations_of(ctx.session, person.id, community.id):
        await communities.revoke_role(ctx.session, community.id, person.id, Role.SME)
    return Reply(f"{person.display_name} is no longer an SME for {topic} in {community.name}.")


@command(
    "smes",
    usage="smes [in community]",
    summary="Subject-matter experts of a community, by topic",
    group=GROUP,
)
async def smes(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.split()[0] if args.strip() else None)
    assert community.id is not None
    rows = await experts.smes_by_topic(ctx.session, community.id)
    if not rows:
        return Reply(
            f"{community.name} has no designated SMEs yet. Leaders add them with "
            "`sme add @person <topic>`; `experts gaps` shows topics that need one."
        )
    names = await people.members_by_ids(ctx.session, [m for _t, m in rows])
    by_topic: dict[str, list[str]] = {}
    for topic, member_id in rows:
        if member_id in names:
            by_topic.setdefault(topic, []).append(names[member_id].display_name)
    return Reply(
        "\n".join(f"*{topic}*: {', '.join(who)}" for topic, who in by_topic.items()),
        title=f"SMEs in {community.name}",
    )


@command(
    "endorse",
    usage="endorse @person <topic>",
    summary="Vouch for someone's expertise on a topic",
    group=GROUP,
    details="Endorsements are shown as a count; they help people find the right expert.",
    examples=("endorse @ada kubernetes",),
)
async def endorse(ctx: Context, args: str) -> Reply:
    who, rest = split_person(args)
    if not who or not rest.strip():
        raise UserError("Type `endorse @person <topic>`, e.g. `endorse @ada kubernetes`.")
    person = await resolve_member_token(ctx, who)
    assert person.id is not None
    if person.id == ctx.member_id:
        raise UserError("You can't endorse yourself; add the topic with `expertise add` instead.")
    topic = await topic_for(ctx, rest, create=True)
    if not await experts.endorse(ctx.session, ctx.member_id, person.id, topic, ctx.now):
        return Reply(f"You already endorsed {person.display_name} for {topic}. Thanks again!")
    shared = await communities.communities_of(ctx.session, person.id)
    mine = {c.id for c in await communities.communities_of(ctx.session, ctx.member_id)}
    common = [c for c in shared if c.id in mine]
    if common:
        assert common[0].id is not None
        await ctx.record_activity(
            common[0].id, ctx.member_id, activity.ENDORSEMENT, ref=f"endorse:{person.id}:{topic}"
        )
    await ctx.notify_member(
        person.id,
        Reply(
            f"{ctx.member.display_name} endorsed you for *{topic}*.",
            visibility=Visibility.DIRECT,
            choices=(Choice("My profile", "profile"),),
        ),
        key=f"endorse:{ctx.member_id}:{person.id}:{topic}",
    )
    return Reply(f"You endorsed {person.display_name} for {topic}.")


# -- expert lookup --------------------------------------------------------------------------------


def why_text(row: experts.ExpertScore, sme_in: list[str], topic: str) -> str:
    why = []
    if row.designated:
        why.append("designated SME" + (f" in {', '.join(sme_in)}" if sme_in else ""))
    if row.authored:
        why.append(f"wrote {row.authored} lesson{'s' * (row.authored != 1)} on {topic}")
    if row.validated:
        why.append(f"validated {row.validated} lesson{'s' * (row.validated != 1)} on {topic}")
    if row.helped:
        why.append(f'{row.helped} "this helped" vote{"s" * (row.helped != 1)}')
    if row.endorsements:
        why.append(f"{row.endorsements} endorsement{'s' * (row.endorsements != 1)}")
    if row.level:
        why.append(f"self-declared {level_text(row.level)}")
    return "; ".join(why) or "listed the topic"


@command(
    "expert",
    usage="expert <topic> [page N]",
    summary="Find people who know a topic, and ask one of them",
    group=GROUP,
    details='Ranked by SME designation, lessons written and validated on the topic, "this '
    'helped" votes, endorsements and self-declared level; people in your communities first. '
    "Forgives typos, plurals and short forms (k8s).",
    examples=("expert kubernetes", "expert k8s", "expert near miss reporting"),
)
async def expert(ctx: Context, args: str) -> Reply | list[Reply]:
    rest, page_number = take_page(args)
    if not rest.strip():
        raise UserError("Which topic? E.g. `expert kubernetes`.")
    topic = await topic_for(ctx, rest)
    typed = normalise(rest)
    ranked = await available_ranking(ctx, topic)
    note = f" (you typed {typed})" if typed != topic else ""
    top = await lessons.top_lessons_for_topic(ctx.session, topic, reader=reader_of(ctx), limit=3)
    lesson_choices = tuple(
        Choice(f"Lesson: {lesson.title[:60]}", f"lesson show {lesson.id}") for lesson, _n in top
    )
    if not ranked:
        return Reply(
            f"I know nobody listed for *{topic}*{note} yet. Know someone? Ask them to type "
            f"`expertise add {topic}`, or endorse them with `endorse @person {topic}`.",
            choices=lesson_choices,
        )
    page, shown = slice_page(ranked, page_number, PER_PAGE)
    names = await people.members_by_ids(ctx.session, [r.member_id for r, _b in ranked])
    sme_in = await experts.designated_communities(
        ctx.session,
        topic,
        [r.member_id for r, _b in shown],
    )
    lines, choices = [], []
    for number, (row, busy) in enumerate(shown, start=page.offset + 1):
        member = names.get(row.member_id)
        if member is None:
            continue
        about = describe_person(ctx, member)
        lines.append(
            f"{number}. *{member.display_name}*"
            + (f" — {about}" if about else "")
            + (f" ({busy})" if busy else "")
            + f"\n    why: {why_text(row, sme_in.get(row.member_id, []), topic)}"
        )
        if busy is None:
            choices.append(
                Choice(f"Ask {member.display_name}", f"expert ask {row.member_id} {topic}")
            )
    if top:
        lines.append(
            "Lessons on "
            + topic
            + ": "
            + "; ".join(f"{lesson.title} (`lesson show {lesson.id}`)" for lesson, _n in top)
        )
    return Reply(
        "\n".join(lines),
        title=f"People who know {topic}{note}",
        choices=(*choices, *lesson_choices[:1], *page.more(f"expert {topic}")),
        context=page.footer()
        + " · people in your communities first · lessons and votes count for 12 months",
    )


@command(
    "experts",
    usage="experts <topic>",
    summary="Same as `expert <topic>`",
    group=GROUP,
    hidden=True,
)
async def experts_alias(ctx: Context, args: str) -> Reply | list[Reply]:
    return await expert(ctx, args)
