"""Personal data end to end: `my data` hands over a copy, `forget` erases a person."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.app import Core, create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import JobContext
from bot.meetings.core import pulse_token
from bot.surveys.core import respondent_token
from storage.db import Database
from storage.tables import Conversation, Identity, Member, OutboxMessage
from storage.tables.meetings import MeetingPulse
from storage.tables.offers import LastOffer
from storage.tables.surveys import SurveyAnswer
from tests.conftest import START
from tests.helpers import Chat, FakePort, text_of

ANONYMOUS = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}
NAMED = {**ANONYMOUS, "title": "Who comes to the offsite", "anonymous": "no"}
EXTRA = ("cy", "di")
MY_DATA_KEYS = {
    "about",
    "dashboard_sessions",
    "slack_installations_you_made",
    "not_included",
    "member",
    "identities",
    "direct_conversations",
    "communities",
    "roles",
    "expertise",
    "availability",
    "sme_designations",
    "endorsements_given",
    "endorsements_received",
    "questions_asked",
    "questions_routed_to_you",
    "questions_stored",
    "answers_written",
    "stories_written",
    "stories_naming_you",
    "lessons_written",
    "lesson_votes",
    "rsvps",
    "attendance",
    "meeting_reminder_opt_ins",
    "survey_invitations",
    "named_survey_answers",
    "health_checks",
    "leader_nudges",
    "activity",
    "messages_to_you",
    "last_buttons_and_lists_shown_to_you",
}


def my_data(replies: list[Any]) -> dict[str, Any]:
    attachment = replies[0].file
    assert attachment is not None and attachment.mime == "application/json"
    return json.loads(attachment.data)


async def ada_leaves_traces(chat: Chat, community: str, clock: FrozenClock) -> None:
    """Ada takes part in everything: profile, endorsements, a lesson, a meeting, two surveys."""
    for handle in EXTRA:
        await chat(f"join {community}", as_=handle)
    await chat("expertise add kubernetes level 3", as_="ada")
    await chat("expertise add terraform level 2", as_="bo")
    await chat("endorse @ada kubernetes", as_="bo")
    await chat("endorse @bo terraform", as_="ada")
    lesson = await chat.text("lesson Pin versions | When upgrading, pin versions #k8s", as_="ada")
    number = lesson.split("Saved lesson ")[1].split(" ")[0]
    assert "Published" in await chat.text(f"lesson publish {number}", as_="lead")
    await chat('meeting new "Retro" once 2026-03-02 9:30', as_="lead")
    await chat("rsvp 1 going", as_="ada")
    await chat("rsvp 1 maybe", as_="bo")
    clock.set(START + timedelta(minutes=25))
    await chat("checkin 1", as_="ada")
    await chat("checkin 1", as_="bo")
    clock.set(START + timedelta(minutes=40))
    await chat("meeting rate 1 5", as_="ada")
    await chat.submit("survey.new:data-eng", ANONYMOUS, as_="lead")
    await chat.submit("survey.new:data-eng", NAMED, as_="lead")
    for handle, score in (("ada", 5), ("bo", 4), ("cy", 4), ("di", 2), ("lead", 3)):
        await chat(f"survey answer 1 {score}", as_=handle)
    await chat("survey answer 2 5", as_="ada")
    await chat("survey answer 2 4", as_="bo")
    await chat.deliver()


async def download(core: Core, kind: str, arg: str) -> bytes:
    """What the signed link of `kind` serves (the producer the HTTP route calls)."""
    services = core.services
    async with services.db.session() as session:
        made = await services.registry.downloads[kind](
            JobContext(services, session, services.clock.now()), arg
        )
    assert made is not None
    return made.data


async def member_id(core: Core, handle: str) -> int:
    async with core.services.db.session() as session:
        identity = (
            await session.exec(select(Identity).where(Identity.platform_user_id == handle))
        ).one()
        return identity.member_id


async def test_forget_me_asks_first_then_erases_everything_personal(
    core: Core, chat: Chat, community: str, clock: FrozenClock, settings: Settings
) -> None:
    await ada_leaves_traces(chat, community, clock)
    ada = await member_id(core, "ada")
    csv_before = await download(core, "survey-csv", "1")
    results_before = await chat.text("survey results 1", as_="lead")
    assert "5 of 5 answered" in results_before

    asked = await chat("forget me", as_="ada")
    assert "cannot be undone" in asked[0].text and "forget me confirm" in asked[0].text
    assert [c.command for c in asked[0].choices] == ["forget me confirm", "my data"]
    assert "Ada" in await chat.text(f"members {community}", as_="bo")  # nothing happened yet

    done = await chat.click(asked[0].choices[0], as_="ada")
    assert "forgotten you" in text_of(done)

    # Gone from every place that shows people.
    assert "Ada" not in await chat.text(f"members {community}", as_="bo")
    experts = await chat.text("expert kubernetes", as_="bo")
    assert "Ada" not in experts and "former" not in experts
    # A vote on her lesson recomputes its author's evidence: a tombstone is nobody to ask.
    assert "found it helpful" in await chat.text("lesson helped 1", as_="cy")
    assert "former" not in await chat.text("expert k8s", as_="bo")
    assert "don't know anyone called" in await chat.text("profile @ada", as_="bo")
    assert "can't find that person" in await chat.text(f"profile <member:{ada}>", as_="bo")
    attendance = (await chat("attendance export 1", as_="lead"))[0].file
    assert attendance is not None
    rows = list(csv.reader(io.StringIO(attendance.data.decode())))
    assert [r[1] for r in rows[1:]] == ["Bo"]
    named = await chat.text("survey results 2", as_="lead")
    assert "1 of" in named  # her named answer is erased with her invitation
    bo_profile = await chat.text("profile", as_="bo")
    assert "endorsement" not in bo_profile  # her endorsement of Bo is gone too
    bo_data = json.dumps(my_data(await chat("my data", as_="bo")))
    assert "Ada" not in bo_data and "ada" not in bo_data.lower().replace("data", "")

    # Her lesson stays, credited to nobody in particular.
    lesson = await chat.text("lesson show 1", as_="bo")
    assert "Pin versions" in lesson and "a former member" in lesson and "Ada" not in lesson

    # Anonymous figures are unchanged, and her answers there can no longer be found.
    assert await chat.text("survey results 1", as_="lead") == results_before
    assert await download(core, "survey-csv", "1") == csv_before
    async with core.services.db.session() as session:
        answers = (await session.exec(select(SurveyAnswer))).all()
        pulses = (await session.exec(select(MeetingPulse))).all()
        tombstone = await session.get(Member, ada)
        identities = (await session.exec(select(Identity).where(Identity.member_id == ada))).all()
        dms = (
            await session.exec(select(Conversation).where(Conversation.platform_user_id == "ada"))
        ).all()
        queued = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.member_id == ada))
        ).all()
        offered = (await session.exec(select(LastOffer).where(LastOffer.member_id == ada))).all()
    assert offered == []  # the buttons she was last shown (a bare number's meaning) go too
    assert sorted(a.value for a in answers if a.survey_id == 1) == ["2", "3", "4", "4", "5"]
    assert respondent_token(settings, 1, ada) not in {a.respondent for a in answers}
    assert [p.score for p in pulses] == [5]
    assert pulses[0].token != pulse_token(settings, 1, ada)
    assert tombstone is not None and tombstone.display_name == "a former member"
    assert tombstone.forgotten_at is not None and tombstone.timezone is None
    assert identities == [] and dms == [] and queued == []

    # Writing again, she is someone new.
    again = my_data(await chat("my data", as_="ada"))
    assert again["member"]["id"] != ada
    assert again["communities"] == [] and again["expertise"] == [] and again["rsvps"] == []


async def test_my_data_holds_the_askers_data_and_nothing_about_others(
    core: Core, chat: Chat, community: str, clock: FrozenClock
) -> None:
    await ada_leaves_traces(chat, community, clock)
    replies = await chat("my data", as_="ada")
    assert "only you can see this" in replies[0].text
    data = my_data(replies)
    assert set(data) == MY_DATA_KEYS
    assert data["member"]["display_name"] == "Ada"
    assert [i["platform_user_id"] for i in data["identities"]] == ["ada"]
    assert [c["community"] for c in data["communities"]] == ["Data Engineering"]
    assert [(e["topic"], e["level"]) for e in data["expertise"]] == [("kubernetes", 3)]
    assert [e["topic"] for e in data["endorsements_received"]] == ["kubernetes"]
    assert [e["topic"] for e in data["endorsements_given"]] == ["terraform"]
    assert [lesson["title"] for lesson in data["lessons_written"]] == ["Pin versions"]
    assert [(r["meeting"], r["status"]) for r in data["rsvps"]] == [("Retro", "going")]
    assert [a["meeting"] for a in data["attendance"]] == ["Retro"]
    (named,) = data["named_survey_answers"]
    assert named == {
        "survey": "Who comes to the offsite",
        "question": "The last session was useful",
        "answer": "5",
    }
    invitations = {i["survey"]: i for i in data["survey_invitations"]}
    assert invitations["Quick check"] == {
        "survey": "Quick check",
        "anonymous": True,
        "answered": True,
    }
    assert any("anonymous" in note.lower() for note in data["not_included"])
    kinds = {m["kind"] for m in data["messages_to_you"]}
    assert {"welcome", "survey"} <= kinds and "text" not in data["messages_to_you"][0]
    # Nothing about anyone else: no other person's name, platform id or answer.
    raw = replies[0].file.data.decode()
    for other in ("Bo", "Cy", "Di", "Lead"):
        assert other not in raw, other
    for handle in ("bo", "cy", "di", "lead"):
        assert f'"{handle}"' not in raw, handle
    assert '"4"' not in raw and '"2"' not in raw  # others' answers (hers was 5)


async def test_download_link_lives_an_hour_and_dies_with_the_person(
    aiohttp_client: Any,
    chat: Chat,
    community: str,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    replies = await chat("my data", as_="ada")
    (link,) = [c.url for c in replies[0].choices if c.url]
    assert link is not None and "/files/my-data/" in link
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    client = await aiohttp_client(app)
    path = link.removeprefix(settings.base_url)
    response = await client.get(path)
    assert response.status == 200
    assert json.loads(await response.read())["member"]["display_name"] == "Ada"
    clock.advance(timedelta(minutes=61))
    assert (await client.get(path)).status == 403
    # A fresh link made before `forget` finds nothing afterwards.
    fresh = next(c.url for c in (await chat("my data", as_="ada"))[0].choices if c.url)
    assert fresh is not None
    await chat("forget me confirm", as_="ada")
    assert (await client.get(fresh.removeprefix(settings.base_url))).status == 404


async def test_coordinators_forget_others_and_the_last_leader_hands_over(
    core: Core, chat: Chat, community: str, port: FakePort
) -> None:
    assert "Only coordinators" in await chat.text("forget @ada", as_="bo")
    assert "Ada" in await chat.text(f"members {community}", as_="bo")
    asked = await chat("forget @ada", as_="root")
    assert "Forget Ada?" in asked[0].text and "forget @Ada confirm" in asked[0].text
    assert "Ada" in await chat.text(f"members {community}", as_="bo")
    done = await chat.click(asked[0].choices[0], as_="root")
    assert "Ada is forgotten" in text_of(done)
    assert "Ada" not in await chat.text(f"members {community}", as_="bo")

    # The last leader hands over first, whoever asks; then forgetting works.
    assert "last leader of Data Engineering" in await chat.text("forget me", as_="lead")
    refused = await chat.text("forget @lead confirm", as_="root")
    assert "Lead is the last leader of Data Engineering" in refused
    assert "Lead" in await chat.text(f"members {community}", as_="bo")
    await chat("role add @bo leader", as_="lead")
    assert "forgotten you" in await chat.text("forget me confirm", as_="lead")
    assert "Lead" not in await chat.text(f"members {community}", as_="bo")
    assert "Type `forget me`" in await chat.text("forget", as_="bo")


async def test_help_lists_both_commands(chat: Chat) -> None:
    overview = await chat.text("help")
    assert "`my data`" in overview and "`forget me" in overview
    forget = await chat.text("help forget")
    assert "a former member" in forget and "forget me confirm" in forget
    assert "cannot be linked" in await chat.text("help my data")
