"""Leader commands that gave wrong or confusing answers in QA in the local chat."""

from __future__ import annotations

from tests.helpers import Chat

MONTHLY = 'meeting new "Clinic" every first tuesday 15:00'


async def test_skip_next_twice_reaches_a_session_beyond_the_planned_weeks(
    chat: Chat, berlin: str
) -> None:
    await chat(MONTHLY, as_="lead")
    assert "Skipped *Clinic* on Tue 3 Mar 2026" in await chat.text(
        "meeting skip 1 next", as_="lead"
    )
    # Only about five weeks are planned ahead; the next session is in April all the same.
    second = await chat.text("meeting skip 1 next", as_="lead")
    assert "Skipped *Clinic* on Tue 7 Apr 2026" in second
    assert "no upcoming session" not in second


async def test_skip_next_of_a_past_one_off_meeting_says_there_is_none(
    chat: Chat, berlin: str
) -> None:
    await chat('meeting new "Retro" once 2026-03-03 15:00', as_="lead")
    await chat("meeting skip 1 next", as_="lead")
    assert "no upcoming session" in await chat.text("meeting skip 1 next", as_="lead")


async def test_cancel_says_what_stops_not_a_count_of_planned_rows(chat: Chat, berlin: str) -> None:
    await chat(MONTHLY, as_="lead")
    done = await chat.text("meeting cancel 1 confirm", as_="lead")
    assert "Cancelled *Clinic*: no more sessions or reminders." in done
    assert "The next session is called off." in done
    assert "planned sessions" not in done


async def test_the_forms_when_error_is_whole_sentences_with_an_example(
    chat: Chat, berlin: str
) -> None:
    form = (await chat("meeting new", as_="lead"))[0].form
    assert form is not None
    values = {f.name: f.initial or "" for f in form.fields}
    values.update(title="Sync", when="whenever")
    replies = await chat.submit(form.form_id, values, as_="lead")
    error = dict(replies[0].errors)["when"]
    # Before, the long message was cut at 150 characters, mid-way through a link.
    assert error == (
        "I didn't understand `whenever` in the schedule. "
        "E.g. `every tuesday 15:00` or `once 10 mar 15:00`."
    )
    values["when"] = "every tuesday"
    replies = await chat.submit(form.form_id, values, as_="lead")
    assert dict(replies[0].errors)["when"].startswith("At what time?")


async def test_non_members_are_offered_join_not_buttons_that_refuse_them(
    chat: Chat, berlin: str
) -> None:
    await chat('meeting new "Clinic" every tuesday 15:00', as_="lead")
    replies = await chat("meeting show 1", as_="stranger")
    labels = [c.label for r in replies for c in r.choices]
    assert "Join Data Engineering" in labels
    assert not {"Going", "Maybe", "Not going", "Remind me"} & set(labels)
    member = [c.label for r in await chat("meeting show 1", as_="ada") for c in r.choices]
    assert {"Going", "Remind me"} <= set(member)


async def test_reminders_are_for_members_of_a_live_meeting(chat: Chat, berlin: str) -> None:
    await chat('meeting new "Clinic" every tuesday 15:00', as_="lead")
    # Before, a stranger was signed up for DMs about a community they are not in.
    refused = await chat.text("meeting remind me 1", as_="stranger")
    assert "Join Data Engineering first" in refused
    assert "I'll remind you" in await chat.text("meeting remind me 1", as_="ada")
    await chat("meeting cancel 1 confirm", as_="lead")
    assert "is cancelled" in await chat.text("meeting remind me 1", as_="bo")
    assert "No more reminders" in await chat.text("meeting remind me 1 off", as_="ada")


async def test_a_cancelled_meeting_says_so_when_skipped_or_given_an_agenda(
    chat: Chat, berlin: str
) -> None:
    await chat(MONTHLY, as_="lead")
    await chat("meeting cancel 1 confirm", as_="lead")
    # Before: "There is no upcoming session; use `agenda <id> series <text>`".
    for line in ("agenda 1 Wins and woes", "meeting skip 1 next"):
        assert "*Clinic* is cancelled." in await chat.text(line, as_="lead")
