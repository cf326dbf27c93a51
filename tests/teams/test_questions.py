"""The question loop through Teams: ask an expert, answer in a card form, solved, escalation by
the injected clock, save as lesson; and featuring a story — real Bot Framework, fake connector."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.teams.cards import activity_to_text, buttons, forms
from bot.clock import FrozenClock
from tests.teams.driver import TeamsDriver, personal_conversation


def dms(teams: TeamsDriver, user_id: str) -> list[dict[str, Any]]:
    """What the bot posted in its 1:1 chat with `user_id`, oldest first."""
    return [c.body for c in teams.fake.to(personal_conversation(user_id))]


async def press_in(teams: TeamsDriver, message: dict[str, Any], label: str, user: str) -> str:
    """Click `label` on a given message (a DM the person got proactively)."""
    for title, value in buttons(message):
        if title == label:
            before = len(teams.fake.calls)
            response = await teams.post(teams.click(value, user, reply_to=message.get("id")))
            assert response.status == 201
            await teams.adapter.core.heartbeat.deliver()
            return "\n".join(
                activity_to_text(c.body)
                for c in teams.fake.calls[before:]
                if c.kind in ("reply", "send", "update")
            )
    raise AssertionError(f"no {label!r} in {[t for t, _v in buttons(message)]}")


async def answer_in_card(teams: TeamsDriver, offer: dict[str, Any], user: str, text: str) -> str:
    shown = await press_in(teams, offer, "Answer", user)
    assert "Answer question" in shown or "Your answer" in shown
    form_message = dms(teams, user)[-1]
    [data] = forms(form_message)
    response = await teams.post(
        teams.click({**data, "answer": text}, user, reply_to=form_message.get("id"))
    )
    assert response.status == 201
    await teams.adapter.core.heartbeat.deliver()
    return activity_to_text(dms(teams, user)[-1])


async def setup(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    for user in ("29:ada", "29:bo"):
        await teams.say("join data-eng", user)
    await teams.say("expertise add kubernetes level 4", "29:ada")
    await teams.say("expertise add kubernetes level 1", "29:lead")


async def ask_ada(teams: TeamsDriver, question: str) -> str:
    assert "Ada" in await teams.say("expert kubernetes", "29:bo")
    await teams.press("Ask Ada", "29:bo")
    return await teams.submit({"question": question}, "29:bo")


async def test_ask_answer_solved_and_save_as_lesson(teams: TeamsDriver) -> None:
    await setup(teams)
    sent = await ask_ada(teams, "How do you size pod requests? <at>everyone</at>")
    assert "I sent your question to" in sent
    offer = dms(teams, "29:ada")[-1]
    assert "Bo asks you about" in activity_to_text(offer)
    assert "<at>" not in str(offer)  # user text stays data: no mention reaches Teams
    assert "I sent your answer" in await answer_in_card(teams, offer, "29:ada", "Use the p95.")
    answer = dms(teams, "29:bo")[-1]
    assert "Ada* answered your question" in activity_to_text(answer)
    assert "Marked question 1 solved" in await press_in(teams, answer, "Solved", "29:bo")
    assert "solved it" in activity_to_text(dms(teams, "29:ada")[-1])
    assert "draft lesson 1" in await press_in(teams, answer, "Save as lesson", "29:bo")
    assert "pod requests" in await teams.say("lesson show 1", "29:lead")


async def test_unanswered_question_escalates_with_the_clock(
    teams: TeamsDriver, clock: FrozenClock
) -> None:
    await setup(teams)
    await ask_ada(teams, "Who owns the cluster autoscaler?")
    asked = [m for m in dms(teams, "29:lead") if "asks you about" in activity_to_text(m)]
    assert asked == []
    clock.advance(timedelta(hours=25))
    await teams.adapter.core.heartbeat.tick()
    asked = [m for m in dms(teams, "29:lead") if "asks you about" in activity_to_text(m)]
    assert len(asked) == 1 and "A member of Data Engineering" in activity_to_text(asked[0])
    assert "so I asked" in activity_to_text(dms(teams, "29:bo")[-1])
    await answer_in_card(teams, asked[0], "29:lead", "The platform team.")
    assert "answered your question" in activity_to_text(dms(teams, "29:bo")[-1])


async def test_feature_a_story(teams: TeamsDriver) -> None:
    await setup(teams)
    shown = await teams.say("story", "29:ada")
    assert "Tell Data Engineering's story" in shown
    await teams.submit(
        {
            "title": "Faster reviews",
            "situation": "Reviews took a week.",
            "activity": "A session on review checklists.",
            "result": "Reviews take 2 days.",
            "cycle": "applied",
            "people": "@Bo",
            "consent": "yes",
        },
        "29:ada",
    )
    assert "Thanks to: Bo" in await teams.say("story 1", "29:lead")
    assert "featured for the digests" in await teams.press("Feature it", "29:lead")
