"""Pulse surveys end to end: launch, DMs through the outbox, answers, anonymity, results, close."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.app import Core, create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.ports import PortRegistry
from storage import surveys
from storage.db import Database
from storage.tables import ActivityEvent, Member, NudgeSignal
from storage.tables.surveys import Survey
from tests.helpers import Chat, FakePort, text_of
from tests.surveys.conftest import answer_rows, invite_rows

EXTRA = ("cy", "di", "eve")
ONE_QUESTION = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}


async def survey_activity(chat: Chat) -> int:
    async with chat.core.services.db.session() as session:
        rows = (await session.exec(select(ActivityEvent))).all()
        return sum(1 for r in rows if r.kind == "survey_response")


async def everyone(chat: Chat, community: str) -> None:
    for handle in EXTRA:
        await chat(f"join {community}", as_=handle)


async def pulse_answers(**overrides: str) -> dict[str, str]:
    values = {f"q{n}": "4" for n in range(1, 6)}
    values |= {"q0": "9", "q6": "yes", "q7": "1-4 h", "q8": "More demos"}
    return values | overrides


async def test_pulse_template_invites_members_and_form_answers(
    chat: Chat, community: str, port: FakePort
) -> None:
    await everyone(chat, community)
    reply = await chat.text("survey new pulse in data-eng", as_="lead")
    assert "Survey `1` *Quarterly member pulse* (9 questions, anonymous)" in reply
    assert "Sent to 6 members" in reply
    await chat.deliver()
    invite = port.to("ada")[-1]
    assert "9 short questions" in invite.text and "anonymous" in invite.text
    (answer_button,) = invite.choices
    opened = await chat.click(answer_button, as_="ada")
    form = opened[0].form
    assert form is not None and form.form_id == "survey.answer:1" and len(form.fields) == 9
    assert form.fields[0].options[0] == ("0", "0")
    assert ("N/A / don't know", "na") in form.fields[1].options

    bad = await chat.submit("survey.answer:1", {"q0": "12", "q1": "4"}, as_="ada")
    errors = dict(bad[0].errors)
    assert "q0" in errors and "q2" in errors and "q8" not in errors  # q8 is optional
    assert await answer_rows(chat.core) == []

    await chat.submit("survey.answer:1", await pulse_answers(), as_="ada")
    assert len(await answer_rows(chat.core)) == 9
    # Changing an answer updates the same rows; the form shows what was given before.
    again = await chat("survey answer 1", as_="ada")
    assert again[0].form is not None and again[0].form.fields[0].initial == "9"
    await chat.submit("survey.answer:1", await pulse_answers(q0="3", q8=""), as_="ada")
    rows = await answer_rows(chat.core)
    assert len(rows) == 8 and {r.value for r in rows if r.question == 0} == {"3"}


async def test_one_click_double_click_and_change(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat.deliver()
    invite = port.to("bo")[-1]
    labels = [c.label for c in invite.choices]
    assert labels[0] == "1 Strongly disagree" and labels[-1] == "N/A"
    four = next(c for c in invite.choices if c.command == "survey answer 1 4")
    await chat.click(four, as_="bo")
    clicked = await chat.click(four, as_="bo")  # a double click or a retried delivery
    assert clicked[0].replace and "Your answer (Agree) is saved anonymously" in clicked[0].text
    assert len(clicked[0].choices) == 6  # the buttons stay, so changing is one click too
    rows = await answer_rows(chat.core)
    assert [(r.question, r.value) for r in rows] == [(0, "4")]
    await chat("survey answer 1 2", as_="bo")
    rows = await answer_rows(chat.core)
    assert [(r.question, r.value) for r in rows] == [(0, "2")]
    assert "Answer 1 (strongly disagree)" in await chat.text("survey answer 1 7", as_="bo")
    assert sum(i.answered for i in await invite_rows(chat.core)) == 1


async def test_anonymous_answers_cannot_be_linked(chat: Chat, community: str) -> None:
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat("survey answer 1 5", as_="ada")
    await chat("survey answer 1 1", as_="bo")
    async with chat.core.services.db.session() as session:
        members = (await session.exec(select(Member))).all()
        ids = {str(m.id) for m in members}
        names = {m.display_name.lower() for m in members}
        # What the app's queries expose: bare values and counts, never a person with an answer.
        assert await surveys.answer_values(session, 1) == {0: ["1", "5"]}
        assert await surveys.respondent_count(session, 1) == 2
    for row in await answer_rows(chat.core):
        assert row.member_id is None
        # An HMAC in hex, not an id or a name. (A name of hex letters only, like "ada", can
        # turn up in any hex string by chance: about 1 run in 100 did.)
        assert re.fullmatch("[0-9a-f]{40}", row.respondent)
        wordy = {n for n in names if not set(n) <= set("0123456789abcdef")}
        assert row.respondent not in ids and not any(n in row.respondent for n in wordy)
    # Who answered is kept without the answer (for reminders and the rate only).
    invites = await invite_rows(chat.core)
    assert not hasattr(invites[0], "value")


async def test_threshold_member_visibility_and_close(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await everyone(chat, community)
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    for handle, score in (("ada", 5), ("bo", 4), ("cy", 4), ("di", 2)):
        await chat(f"survey answer 1 {score}", as_=handle)
    hidden = await chat.text("survey results 1", as_="lead")
    assert "4 of 6 answered (67%)" in hidden and "shown from 5 answers" in hidden
    assert "mean" not in hidden
    assert "still open" in await chat.text("survey results 1", as_="ada")

    await chat("survey answer 1 na", as_="eve")
    live = await chat("survey results 1", as_="lead")
    # Enough answers, but still open: the rate only (see tests/surveys/test_anonymity.py).
    assert "5 of 6 answered (83%)" in text_of(live) and "mean" not in text_of(live)
    assert live[0].image is None and not live[0].choices

    assert await survey_activity(chat) == 0  # anonymous: not logged while timing could link
    clock.advance(timedelta(days=7, minutes=1))
    await chat.tick()
    assert await survey_activity(chat) == 5
    assert "Quick check* has closed: 5 of 6 answered" in "\n".join(port.texts("lead"))
    shown = await chat("survey results 1", as_="lead")
    text = text_of(shown)
    assert "5 of 6 answered (83%)" in text
    assert "mean 3.8" in text and "75% favourable" in text and "1 N/A" in text
    assert shown[0].image is not None and shown[0].image.png.startswith(b"\x89PNG")
    assert any(c.url and "/files/survey-csv/1?" in c.url for c in shown[0].choices)
    member_view = await chat.text("survey results 1", as_="ada")
    assert "mean 3.8" in member_view and "Download CSV" not in member_view
    assert "has closed" in await chat.text("survey answer 1 3", as_="bo")


async def test_reminder_only_to_non_responders_once(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat("survey answer 1 4", as_="ada")
    await chat.tick()
    clock.advance(timedelta(days=5, hours=23))
    await chat.tick()
    assert not any("Reminder" in t for t in port.texts("bo"))
    clock.advance(timedelta(hours=2))  # now less than a day before closing
    await chat.tick()
    await chat.tick()
    assert sum("Reminder: Quick check" in t for t in port.texts("bo")) == 1
    assert sum("Reminder: Quick check" in t for t in port.texts("lead")) == 1
    assert not any("Reminder" in t for t in port.texts("ada"))


async def test_scheduled_open_named_pending_and_low_rate_nudge(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await everyone(chat, community)
    values = ONE_QUESTION | {"anonymous": "no", "opens": "2026-03-05 10:00", "closes": "14d"}
    created = await chat.text("survey new in data-eng", as_="lead")
    assert "form: New survey" in created
    created = text_of(await chat.submit("survey.new:data-eng", values, as_="lead"))
    assert "goes to the members of Data Engineering on Thu 5 Mar 2026" in created
    await chat.tick()
    assert not any("Quick check" in t for t in port.texts("ada"))
    assert "not opened yet" in await chat.text("survey answer 1 4", as_="ada")
    clock.advance(timedelta(days=3, hours=2))  # past 10:00 UTC on the 5th
    await chat.tick()
    await chat.tick()
    assert sum("Quick check" in t for t in port.texts("ada")) == 1
    await chat("survey answer 1 4", as_="ada")
    pending = await chat.text("survey pending 1", as_="lead")
    assert "(5)" in pending and "Bo" in pending and "Ada" not in pending
    assert "Only leaders" in await chat.text("survey pending 1", as_="bo")
    await chat("survey close 1 confirm", as_="lead")
    async with chat.core.services.db.session() as session:
        survey = await session.get(Survey, 1)
        assert survey is not None and survey.state == "closed"
        signals = (await session.exec(select(NudgeSignal))).all()
    assert [(s.rule, s.ref) for s in signals] == [("N12", "survey:1")]  # 1 of 6 answered


async def test_validation_and_permissions(chat: Chat, community: str) -> None:
    assert "Only leaders" in await chat.text("survey new pulse in data-eng", as_="ada")
    bad = await chat.submit(
        "survey.new:data-eng", ONE_QUESTION | {"questions": "how are you"}, as_="lead"
    )
    assert "questions" in dict(bad[0].errors)
    bad = await chat.submit("survey.new:data-eng", ONE_QUESTION | {"closes": "soon"}, as_="lead")
    assert "closes" in dict(bad[0].errors)
    assert "Type `survey new pulse`" in await chat.text("survey new banana", as_="lead")
    assert "There is no survey `9`" in await chat.text("survey results 9", as_="lead")
    await chat.submit("survey.new:data-eng", ONE_QUESTION | {"audience": "leaders"}, as_="lead")
    assert "was not sent to you" in await chat.text("survey answer 1 4", as_="ada")
    listing = await chat.text("surveys", as_="lead")
    assert "Quick check" in listing
    shown = await chat.text("survey 1", as_="lead")
    assert "open until" in shown and "You have not answered yet" in shown
    assert "1. The last session was useful" in shown
    assert "was not sent to you" in await chat.text("survey 1", as_="ada")


async def test_two_replicas_open_and_remind_once(
    chat: Chat,
    community: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
) -> None:
    values = ONE_QUESTION | {"opens": "2026-03-03 09:00", "closes": "2026-03-06"}
    await chat.submit("survey.new:data-eng", values, as_="lead")
    ports = PortRegistry()
    ports.register(port)
    other = Core(settings, clock=clock, ports=ports, db=database, worker="other")
    for moment in (datetime(2026, 3, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 6, 0, 0, tzinfo=UTC)):
        clock.set(moment)
        # Concurrent ticks may collide on SQLite's write lock; the next heartbeat retries.
        for _ in range(3):
            await asyncio.gather(chat.tick(), other.heartbeat.tick())
    for who in ("lead", "ada", "bo"):
        texts = port.texts(who)
        assert sum("The last session was useful" in t for t in texts) == 2, who  # invite+reminder
        assert sum("Reminder: Quick check" in t for t in texts) == 1


async def test_csv_download_over_http(
    aiohttp_client: Any,
    chat: Chat,
    community: str,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    await everyone(chat, community)
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    for handle, score in (("ada", 5), ("bo", 4), ("cy", 4), ("di", 2), ("eve", "na")):
        await chat(f"survey answer 1 {score}", as_=handle)
    await chat("survey close 1 confirm", as_="lead")  # anonymous: no figures while open
    shown = await chat("survey results 1", as_="lead")
    url = next(c.url for c in shown[0].choices if c.url)
    assert url is not None
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    client = await aiohttp_client(app)
    response = await client.get(url.removeprefix(settings.base_url))
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0] == ["respondents", "5", "invited", "6"]
    agree = next(r for r in rows if r[2] == "Agree")
    assert agree[3] == "2" and agree[5] == "3.75" and agree[6] == "75.0"
    tampered = url.removeprefix(settings.base_url).replace("/survey-csv/1?", "/survey-csv/2?")
    assert (await client.get(tampered)).status in {403, 404}
