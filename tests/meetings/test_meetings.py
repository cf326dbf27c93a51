"""Scheduling, listing, editing, skipping, RSVPs, check-in and attendance through the router."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import Core
from bot.clock import FrozenClock
from bot.messages import Choice, Reply
from storage.tables import ActivityEvent
from tests.helpers import Chat, text_of
from tests.meetings.conftest import meeting_ids, occurrences

WEEKLY = 'meeting new "Clinic" every week on tuesday 15:00 60m https://meet.example/abc'


def choice(replies: list[Reply], label: str) -> Choice:
    for reply in replies:
        for option in reply.choices:
            if option.label == label or option.label == f"✓ {label}":
                return option
    raise AssertionError(f"no {label!r} in {[c.label for r in replies for c in r.choices]}")


async def activity_kinds(core: Core) -> list[tuple[str, int]]:
    from sqlmodel import select

    async with core.services.db.session() as session:
        rows = await session.exec(select(ActivityEvent.kind, ActivityEvent.member_id))
        return sorted(rows.all())


async def test_create_one_line_shows_next_three_in_the_creators_zone(
    chat: Chat, berlin: str, core: Core
) -> None:
    await chat("timezone America/Los_Angeles", as_="lead")
    replies = await chat(WEEKLY, as_="lead")
    text = text_of(replies)
    assert "Scheduled *Clinic*" in text
    assert "every week on Tuesday at 15:00 (Europe/Berlin)" in text
    # 15:00 in Berlin is 06:00 in Los Angeles (before the US change on 8 March: 9 hours).
    assert "Tue 3 Mar 2026, 06:00 PST" in text
    # After 8 March the US is on summer time but Europe is not yet: 8 hours apart.
    assert "Tue 10 Mar 2026, 07:00 PDT" in text
    assert "Tue 17 Mar 2026, 07:00 PDT" in text
    assert (
        choice(replies, "Undo").command == f"meeting cancel {(await meeting_ids(core))[0]} confirm"
    )
    planned = await occurrences(core)
    assert planned and planned[0].starts_at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


async def test_undo_cancels_and_restore_brings_it_back(chat: Chat, berlin: str, core: Core) -> None:
    replies = await chat(WEEKLY, as_="lead")
    cancelled = await chat.click(choice(replies, "Undo"), as_="lead")
    assert "Cancelled *Clinic*" in text_of(cancelled)
    assert "No meetings" in await chat.text("meetings", as_="ada")
    await chat.click(choice(cancelled, "Undo"), as_="lead")
    assert "Clinic" in await chat.text("meetings", as_="ada")


async def test_members_cannot_schedule(chat: Chat, berlin: str) -> None:
    text = await chat.text(WEEKLY, as_="ada")
    assert "Only leaders or facilitators of Data Engineering can schedule meetings" in text


async def test_facilitators_can_schedule(chat: Chat, berlin: str) -> None:
    await chat("role add @ada facilitator", as_="lead")
    assert "Scheduled" in await chat.text(WEEKLY, as_="ada")


async def test_parse_errors_answer_with_an_example(chat: Chat, berlin: str) -> None:
    text = await chat.text('meeting new "Clinic" every tuesday', as_="lead")
    assert "At what time?" in text and "meeting new" in text
    text = await chat.text('meeting new "Clinic" every blue moon 10:00', as_="lead")
    assert "I didn't understand `blue`" in text


async def test_create_by_form(chat: Chat, berlin: str) -> None:
    replies = await chat("meeting new", as_="lead")
    assert replies[0].form is not None
    form_id = replies[0].form.form_id
    assert form_id == "meeting.new:data-eng"
    bad = await chat.submit(
        form_id,
        {"title": "Clinic", "when": "every tuesday", "timezone": "Europe/Berlin"},
        as_="lead",
    )
    assert bad[0].errors and bad[0].errors[0][0] == "when"
    good = await chat.submit(
        form_id,
        {
            "title": "Clinic",
            "when": "every first tuesday 15:00",
            "timezone": "Europe/Berlin",
            "duration": "90",
            "location": "Room 4",
            "agenda": "Intro round",
        },
        as_="lead",
    )
    assert "Scheduled *Clinic*" in text_of(good)
    shown = await chat.text("meeting show 1", as_="ada")
    assert "every month on the first Tuesday at 15:00" in shown
    assert "90 minutes" in shown and "Room 4" in shown and "Intro round" in shown


async def test_listing_is_in_each_viewers_timezone_with_rsvp_buttons(
    chat: Chat, berlin: str
) -> None:
    await chat(WEEKLY, as_="lead")
    ada = await chat.text("meetings", as_="ada")
    assert "Tue 3 Mar 2026, 09:00 EST" in ada and "times in America/New_York" in ada
    bo = await chat.text("meetings", as_="bo")
    assert "Tue 3 Mar 2026, 23:00 JST" in bo
    assert "0 going, 0 maybe, 0 not going" in bo
    assert "rsvp 1 going" in bo and "Add to calendar" in bo


async def test_listing_pages(chat: Chat, berlin: str) -> None:
    await chat('meeting new "Daily" every day 8:00', as_="lead")
    first = await chat("meetings", as_="ada")
    assert "Page 1 of 6" in text_of(first)
    second = await chat.click(choice(first, "Next page (2/6)"), as_="ada")
    assert "Page 2 of 6" in text_of(second)


async def test_rsvp_updates_in_place_and_records_activity_once(
    chat: Chat, berlin: str, core: Core
) -> None:
    await chat(WEEKLY, as_="lead")
    listing = await chat("meetings", as_="ada")
    going = await chat.click(choice(listing, "Going"), as_="ada")
    assert len(going) == 1 and going[0].replace
    assert "1 going, 0 maybe, 0 not going" in text_of(going)
    assert "You said: going" in text_of(going)
    assert choice(going, "Going").label == "✓ Going"
    maybe = await chat.click(choice(going, "Maybe"), as_="ada")
    assert "0 going, 1 maybe, 0 not going" in text_of(maybe)
    await chat.click(choice(going, "Maybe"), as_="ada")
    await chat("rsvp 1 yes", as_="bo")
    rsvps = [k for k in await activity_kinds(core) if k[0] == "rsvp"]
    assert len(rsvps) == 2
    assert "Join Data Engineering first" in await chat.text("rsvp 1 going", as_="stranger")
    assert "Answer `rsvp 1 going`" in await chat.text("rsvp 1 perhaps-not", as_="ada")


async def test_check_in_only_during_the_window(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock
) -> None:
    await chat(WEEKLY, as_="lead")
    assert "Check-in opens 10 minutes before" in await chat.text("checkin 1", as_="ada")
    clock.set(datetime(2026, 3, 3, 13, 51, tzinfo=UTC))  # 9 minutes before the start
    assert "You're checked in" in await chat.text("checkin 1", as_="ada")
    assert "already checked in" in await chat.text("checkin 1", as_="ada")
    listing = await chat("meetings", as_="bo")
    assert choice(listing, "Check in").command == "checkin 1"
    clock.set(datetime(2026, 3, 3, 15, 1, tzinfo=UTC))  # ended at 15:00 UTC
    assert "Check-in opens" in await chat.text("checkin 1", as_="bo")
    assert [k for k in await activity_kinds(core) if k[0] == "attendance"] == [("attendance", 2)]


async def test_leaders_mark_attendance_members_cannot(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock
) -> None:
    await chat(WEEKLY, as_="lead")
    assert "has not started yet" in await chat.text("attendance 1 @ada", as_="lead")
    clock.set(datetime(2026, 3, 3, 14, 30, tzinfo=UTC))
    refused = await chat.text("attendance 1 @bo", as_="ada")
    assert "Only leaders or facilitators of Data Engineering can mark attendance" in refused
    text = await chat.text("attendance 1 @ada, and @bo", as_="lead")
    assert "Marked 2 as attended: Ada, Bo" in text
    again = await chat.text("attendance 1 @ada", as_="lead")
    assert "nobody new" in again and "Already marked: Ada" in again
    assert "2 attended *Clinic* on Tue 3 Mar 2026, 14:00 UTC: Ada, Bo" in await chat.text(
        "attendance 1", as_="lead"
    )
    assert len([k for k in await activity_kinds(core) if k[0] == "attendance"]) == 2


async def test_edit_time_moves_future_sessions(chat: Chat, berlin: str, core: Core) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 going", as_="ada")
    text = await chat.text("meeting edit 1 time 16:30", as_="lead")
    assert "every week on Tuesday at 16:30" in text
    planned = [o for o in await occurrences(core) if o.state == "scheduled"]
    assert planned[0].starts_at == datetime(2026, 3, 3, 15, 30, tzinfo=UTC)
    assert "Tue 3 Mar 2026, 10:30 EST" in await chat.text("meetings", as_="ada")
    assert "You can change" in await chat.text("meeting edit 1 colour blue", as_="lead")
    assert "Only leaders" in await chat.text("meeting edit 1 time 10:00", as_="ada")
    text = await chat.text("meeting edit 1 schedule every 2 weeks on monday 9:30", as_="lead")
    assert "every 2 weeks on Monday at 09:30" in text


async def test_edit_by_prefilled_form(chat: Chat, berlin: str) -> None:
    await chat(WEEKLY, as_="lead")
    replies = await chat("meeting edit 1", as_="lead")
    form = replies[0].form
    assert form is not None and form.form_id == "meeting.edit:1"
    values = {f.name: f.initial or "" for f in form.fields}
    assert values["when"] == "every week on Tuesday at 15:00"
    values["agenda"] = "Pipelines at scale"
    saved = await chat.submit(form.form_id, values, as_="lead")
    assert "Saved *Clinic*" in text_of(saved)
    assert "Pipelines at scale" in await chat.text("meeting show 1", as_="ada")


async def test_skip_one_date_and_undo(chat: Chat, berlin: str, core: Core) -> None:
    await chat(WEEKLY, as_="lead")
    replies = await chat("meeting skip 1 2026-03-10", as_="lead")
    assert "Skipped *Clinic* on Tue 10 Mar 2026" in text_of(replies)
    listing = await chat.text("meetings", as_="ada")
    assert "10 Mar" not in listing and "3 Mar" in listing and "17 Mar" in listing
    assert "has no session on" in await chat.text("meeting skip 1 2026-03-11", as_="lead")
    # Further ahead than planned so far: planned on demand.
    assert "Skipped" in await chat.text("meeting skip 1 2026-09-01", as_="lead")
    await chat.click(choice(replies, "Undo"), as_="lead")
    assert "10 Mar" in await chat.text("meetings", as_="ada")


async def test_cancel_asks_first(chat: Chat, berlin: str) -> None:
    await chat(WEEKLY, as_="lead")
    ask = await chat("meeting cancel 1", as_="lead")
    assert "Cancel every future session" in text_of(ask)
    assert "Clinic" in await chat.text("meetings", as_="ada")
    await chat.click(choice(ask, "Yes, cancel it"), as_="lead")
    assert "No meetings" in await chat.text("meetings", as_="ada")
    assert "cancelled" in await chat.text("meeting show 1", as_="ada")


async def test_agenda_for_the_next_session_or_the_series(chat: Chat, berlin: str) -> None:
    await chat(WEEKLY, as_="lead")
    assert "Set the agenda of *Clinic* on" in await chat.text(
        "agenda 1 Incident review", as_="lead"
    )
    assert "Incident review" in await chat.text("agenda 1", as_="ada")
    assert "Only leaders" in await chat.text("agenda 1 hijack", as_="ada")
    await chat("agenda 1 series Open Q&A", as_="lead")
    listing = await chat.text("meetings", as_="ada")
    assert "Agenda: Incident review" in listing and "Agenda: Open Q&A" in listing


async def test_home_shows_next_meetings_with_my_answer(chat: Chat, berlin: str) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 maybe", as_="ada")
    home = await chat.text("home", as_="ada")
    assert "Your next meetings" in home
    assert "*Clinic*: Tue 3 Mar 2026, 09:00 EST (you: maybe)" in home
    assert "(you: no answer yet)" in home


async def test_unknown_ids_are_friendly(chat: Chat, berlin: str) -> None:
    for line in ("meeting show 42", "rsvp 42 going", "checkin 42", "agenda 42 x", "meeting ics 9"):
        text = await chat.text(line, as_="lead")
        assert "There is no" in text, line


async def test_remind_me_toggle(chat: Chat, berlin: str) -> None:
    await chat(WEEKLY, as_="lead")
    on = await chat("meeting remind me 1", as_="bo")
    assert "I'll remind you" in text_of(on)
    off = await chat.click(choice(on, "Stop reminders"), as_="bo")
    assert "No more reminders" in text_of(off)


async def test_plans_ahead_on_the_heartbeat(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock
) -> None:
    await chat(WEEKLY, as_="lead")
    before = len(await occurrences(core))
    clock.advance(timedelta(days=10))
    await chat.tick()
    after = await occurrences(core)
    assert len(after) > before
    assert after[-1].starts_at > clock.now() + timedelta(days=28)
    await chat.tick()
    assert len(await occurrences(core)) == len(after)


async def test_rsvp_in_a_channel_redraws_the_shared_post_without_personal_marks(
    chat: Chat, berlin: str
) -> None:
    await chat(WEEKLY, as_="lead")
    replies = await chat("rsvp 1 going", as_="ada", channel="C-data")
    shared, private = replies
    assert shared.replace and "1 going" in shared.text + text_of([shared])
    assert "You said" not in text_of([shared]) and "Tue 3 Mar 2026, 15:00 CET" in text_of([shared])
    assert all(not c.label.startswith("✓") for c in shared.choices)
    assert "Noted: going to *Clinic* on Tue 3 Mar 2026, 09:00 EST" in private.text


async def test_a_one_off_months_ahead_shows_and_takes_an_agenda(chat: Chat, berlin: str) -> None:
    await chat('meeting new "Summit" once 2026-09-15 10:00', as_="lead")
    shown = await chat.text("meeting show 1", as_="ada")
    assert "Tue 15 Sep 2026, 04:00 EDT" in shown
    assert "Set the agenda" in await chat.text("agenda 1 Keynotes", as_="lead")
    assert "Keynotes" in await chat.text("agenda 1", as_="ada")


async def test_an_edit_cannot_move_a_one_off_into_the_past(chat: Chat, berlin: str) -> None:
    await chat('meeting new "Retro" today 18:00', as_="lead")
    text = await chat.text("meeting edit 1 time 08:00", as_="lead")
    assert "no session in the future" in text
    assert "18:00" in await chat.text("meeting show 1", as_="lead")
