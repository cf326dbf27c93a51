"""What a demanding leader and member ran into: times in the past, `next friday`, the asker's own
clock, wording of confirmations and lists, N/A counted once, cancelling a scheduled survey."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.errors import UserError
from bot.surveys.core import Question
from bot.surveys.stats import stats_for, summary_line
from tests.conftest import START
from tests.helpers import Chat, FakePort, text_of

# START in tests.conftest is Monday 2 March 2026, 09:00 UTC.
ONE = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}


async def test_a_closing_time_in_the_past_says_so(chat: Chat, community: str) -> None:
    reply = await chat.text("survey new pulse closes 2020-01-01 in data-eng", as_="lead")
    assert "closing time is in the past" in reply
    bad = await chat.submit("survey.new:data-eng", ONE | {"closes": "2026-03-01"}, as_="lead")
    assert "closes" in dict(bad[0].errors) and "in the past" in bad[0].text
    assert "no survey" in (await chat.text("survey 1", as_="lead")).lower()


async def test_an_opening_time_in_the_past_is_not_silently_now(
    chat: Chat, community: str, port: FakePort
) -> None:
    reply = await chat.text("survey new pulse opens 2020-01-01 closes 3d in data-eng", as_="lead")
    assert "opening time is in the past" in reply and "`now`" in reply
    await chat.deliver()
    assert not [t for t in port.texts("ada") if "Quarterly member pulse" in t]
    bad = await chat.submit("survey.new:data-eng", ONE | {"opens": "2026-02-01"}, as_="lead")
    assert "opens" in dict(bad[0].errors)
    # A few minutes ago is what "now" meant: it is sent straight away.
    ok = await chat.text("survey new pulse opens today 08:30 in data-eng", as_="lead")
    assert "Sent to 3 members" in ok


async def test_next_friday_is_understood_in_the_one_line_form(chat: Chat, community: str) -> None:
    reply = await chat.text("survey new pulse closes next friday in data-eng", as_="lead")
    assert "Survey `1`" in reply and "closes Fri 6 Mar 2026, 23:59" in reply


async def test_typed_times_are_read_on_the_askers_clock(chat: Chat, community: str) -> None:
    # The community keeps UTC; the leader lives in Berlin (UTC+1 in March).
    await chat("timezone Europe/Berlin", as_="lead")
    reply = await chat.text(
        "survey new pulse opens tomorrow 17:00 closes friday 18:00 in data-eng", as_="lead"
    )
    assert "on Tue 3 Mar 2026, 17:00 CET" in reply, reply
    assert "closes Fri 6 Mar 2026, 18:00 CET" in reply, reply


async def test_confirmation_counts_and_privacy_read_naturally(chat: Chat, community: str) -> None:
    named = ONE | {"anonymous": "no"}
    reply = (await chat.submit("survey.new:data-eng", named, as_="lead"))[0].text
    assert "(1 question, named: leaders can see who has not answered)" in reply, reply
    leaders = await chat.text("survey new pulse leaders in data-eng", as_="lead")
    assert "Sent to 1 leader of Data Engineering" in leaders, leaders


async def test_a_scheduled_survey_offers_cancel_and_lists_when_it_opens(
    chat: Chat, community: str
) -> None:
    replies = await chat(
        "survey new pulse opens 2026-03-05 closes 2026-03-20 in data-eng", as_="lead"
    )
    labels = [c.label for c in replies[0].choices]
    assert "Cancel it" in labels and "Close now" not in labels
    listed = await chat.text("surveys in data-eng", as_="lead")
    assert "not open yet" not in listed
    assert "opens Thu 5 Mar 2026, 09:00 UTC, closes Fri 20 Mar 2026, 23:59 UTC" in listed
    cancelled = await chat.text("survey close 1 confirm", as_="lead")
    assert "cancelled" in cancelled
    assert "closed Mon 2 Mar 2026, 09:00 UTC" in await chat.text("surveys in data-eng", as_="lead")
    opened = await chat.text("survey new pulse in data-eng", as_="lead")
    assert "Sent to" in opened
    listed = await chat.text("surveys in data-eng", as_="lead")
    assert "`2` *Quarterly member pulse*: open until Mon 16 Mar 2026, 09:00 UTC" in listed


def test_not_applicable_is_counted_once_in_a_summary() -> None:
    question = Question("a5", "Help came quickly")
    line = summary_line(stats_for(question, ["4", "na", "2", "4"]))
    assert line.count("N/A") == 1 and "1 N/A" in line
    assert "Disagree 1, Agree 2" in line


async def test_closing_a_leaders_survey_does_not_promise_members_the_results(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("survey new pulse leaders named in data-eng", as_="lead")
    await chat("survey close 1 confirm", as_="lead")
    await chat.deliver()
    closed = [t for t in port.texts("lead") if "has closed" in t]
    assert closed and "Members can now see" not in closed[-1]
    assert "leaders who were asked" in closed[-1]


async def test_a_typed_answer_is_not_told_to_tap(chat: Chat, community: str) -> None:
    text_only = ONE | {"questions": "text: One thing to improve?"}
    await chat.submit("survey.new:data-eng", text_only, as_="lead")
    saved = await chat.text("survey answer 1 More demos", as_="ada")
    assert "Tap" not in saved and "`survey answer 1 <new answer>`" in saved


async def test_the_reminder_asks_once_and_names_the_closing_time_once(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat.submit("survey.new:data-eng", ONE | {"closes": "3d"}, as_="lead")
    await chat("survey answer 1 4", as_="ada")
    clock.set(START + timedelta(days=2, hours=1))
    await chat.tick()
    (reminder,) = [t for t in port.texts("bo") if "Reminder" in t]
    assert "you have not answered yet" in reminder and "change" not in reminder
    assert reminder.count("Thu 5 Mar 2026") == 1
    assert not [t for t in port.texts("ada") if "Reminder" in t]


async def test_an_anonymous_survey_too_small_to_show_results_warns_at_launch(
    chat: Chat, community: str
) -> None:
    few = await chat("survey new pulse leaders in data-eng", as_="lead")
    assert "results will stay hidden" in (few[0].context or "")
    named = await chat("survey new pulse leaders named in data-eng", as_="lead")
    assert "hidden" not in (named[0].context or "")
    for handle in ("cy", "di", "eve"):
        await chat("join data-eng", as_=handle)
    enough = await chat("survey new pulse in data-eng", as_="lead")
    assert "hidden" not in (enough[0].context or "")


async def test_the_close_notice_does_not_promise_hidden_results(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat.submit("survey.new:data-eng", ONE, as_="lead")
    await chat("survey answer 1 4", as_="ada")
    await chat("survey close 1 confirm", as_="lead")
    await chat.deliver()
    (closed,) = [t for t in port.texts("lead") if "has closed" in t]
    assert "1 of 3 answered" in closed and "stay hidden" in closed
    assert "can now see the results" not in closed


def test_a_number_picks_a_numeric_option_by_its_value_not_its_position() -> None:
    sizes = Question("choice", "How many sessions?", ("1", "2", "5"))
    assert sizes.parse("2") == "2"
    with pytest.raises(UserError, match="Pick one of"):
        sizes.parse("3")  # not "5", the third option
    pulse_time = Question("choice", "Time saved?", ("0", "<1 h", "1-4 h"))
    assert pulse_time.parse("0") == "0"
    with pytest.raises(UserError):
        pulse_time.parse("2")
    assert Question("choice", "Format?", ("Talk", "Workshop")).parse("2") == "Workshop"


async def test_members_are_told_when_results_open_and_who_may_close(
    chat: Chat, community: str
) -> None:
    await chat.submit("survey.new:data-eng", ONE, as_="lead")
    early = await chat.text("survey results 1", as_="ada")
    assert "once it closes (Mon 9 Mar 2026, 09:00 UTC)" in early
    refused = await chat.text("survey close 1", as_="ada")
    assert "can close a survey" in refused and "launch" not in refused
    assert "open until" in await chat.text("surveys in data-eng", as_="lead")


async def test_a_member_looking_at_a_scheduled_survey_learns_when_it_opens(
    chat: Chat, community: str
) -> None:
    await chat("survey new pulse opens 2026-03-05 in data-eng", as_="lead")
    for command in ("survey 1", "survey answer 1"):
        reply = await chat.text(command, as_="ada")
        assert "has not opened yet; it is sent on Thu 5 Mar 2026, 09:00 UTC" in reply, reply


async def test_pending_after_close_does_not_say_yet(chat: Chat, community: str) -> None:
    await chat.submit("survey.new:data-eng", ONE | {"anonymous": "no"}, as_="lead")
    await chat("survey answer 1 4", as_="ada")
    assert "Not answered *Quick check* yet (2)" in await chat.text("survey pending 1", as_="lead")
    await chat("survey close 1 confirm", as_="lead")
    closed = await chat.text("survey pending 1", as_="lead")
    assert "Did not answer *Quick check* before it closed (2)" in closed and "yet" not in closed


async def test_close_now_asks_before_ending_a_survey_for_good(
    chat: Chat, community: str, port: FakePort
) -> None:
    launched = await chat("survey new pulse in data-eng", as_="lead")
    (close_now,) = [c for c in launched[0].choices if c.label == "Close now"]
    asked = await chat.click(close_now, as_="lead")
    assert "Close *Quarterly member pulse* now? 0 of 3 have answered" in asked[0].text
    assert "open" in await chat.text("survey 1", as_="lead")  # still open
    keep, yes = (
        next(c for c in asked[0].choices if c.label == "Keep it open"),
        next(c for c in asked[0].choices if c.label == "Yes, close it"),
    )
    assert "open until" in text_of(await chat.click(keep, as_="lead"))
    assert "is closed" in text_of(await chat.click(yes, as_="lead"))
    assert "already closed" in await chat.text("survey close 1 confirm", as_="lead")


async def test_a_one_question_invitation_speaks_of_one_answer(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat.submit("survey.new:data-eng", ONE, as_="lead")
    await chat.deliver()
    (invite,) = [t for t in port.texts("ada") if "Quick check" in t]
    assert "Your answer is anonymous. You can change your answer until" in invite
