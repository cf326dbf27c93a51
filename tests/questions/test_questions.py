"""The question loop through the core: ask, answer, solved, escalation, save as lesson."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.clock import FrozenClock
from bot.messages import Choice, Reply
from storage import questions
from storage.db import Database
from storage.tables import ActivityEvent
from tests.conftest import START
from tests.helpers import Chat, FakePort, text_of

HOURS = timedelta(hours=1)


def button(reply: Reply, label: str) -> Choice:
    found = [c for c in reply.choices if c.label == label]
    assert found, f"no {label!r} in {[c.label for c in reply.choices]}"
    return found[0]


async def ask_ada(chat: Chat, text: str = "How do you size pod requests?") -> int:
    """Bo asks Ada (the only kubernetes expert) through `expert kubernetes` -> Ask -> form."""
    listing = await chat("expert kubernetes", as_="bo")
    form_reply = (await chat.click(button(listing[0], "Ask Ada"), as_="bo"))[0]
    assert form_reply.form is not None
    sent = await chat.submit(form_reply.form.form_id, {"question": text}, as_="bo")
    assert "I sent your question to *Ada*" in text_of(sent)
    return int(text_of(sent).split("as question ")[1].split(".")[0])


async def test_ask_answer_solved_and_lesson(
    chat: Chat, community: str, port: FakePort, database: Database
) -> None:
    await chat("expertise add kubernetes", as_="ada")
    number = await ask_ada(chat)
    home = await chat.text("home", as_="ada")
    assert "Questions waiting for your answer" in home and "pod requests" in home
    await chat.deliver()
    offer = port.to("ada")[-1]
    assert "Bo asks you about *kubernetes*" in offer.text and "pod requests" in offer.text
    form_reply = (await chat.click(button(offer, "Answer"), as_="ada"))[0]
    assert form_reply.form is not None and form_reply.form.form_id == f"question.answer:{number}"
    empty = await chat.submit(form_reply.form.form_id, {"answer": "  "}, as_="ada")
    assert empty[0].errors == (("answer", "Write your answer."),)
    done = await chat.submit(
        form_reply.form.form_id, {"answer": "Use the p95 of actual usage."}, as_="ada"
    )
    assert "I sent your answer" in text_of(done)
    assert "Questions waiting for your answer" not in await chat.text("home", as_="ada")
    await chat.deliver()
    answer = port.to("bo")[-1]
    assert "*Ada* answered your question" in answer.text and "p95" in answer.text
    solved = await chat.click(button(answer, "Solved"), as_="bo")
    assert f"Marked question {number} solved" in text_of(solved)
    assert "already marked solved" in text_of(await chat.click(button(answer, "Solved"), as_="bo"))
    await chat.deliver()
    assert "solved it. Thank you" in port.texts("ada")[-1]
    saved = await chat.click(button(solved[0], "Save as lesson"), as_="bo")
    assert "as draft lesson 1" in text_of(saved)
    lesson = await chat.text("lesson show 1", as_="lead")
    assert "How do you size pod requests?" in lesson and "Use the p95 of actual usage." in lesson
    assert "already saved as lesson 1" in await chat.text(f"question lesson {number}", as_="ada")
    shown = await chat.text(f"question {number}", as_="ada")
    assert "solved" in shown and "*Ada* ✓" in shown
    async with database.session() as session:
        question = await questions.get_question(session, number)
        assert question is not None and question.state == "solved"
        assert question.first_answer_at == START and question.lesson_id == 1
        kinds = set((await session.exec(select(ActivityEvent.kind))).all())
    assert {"question_asked", "answer", "lesson_submitted"} <= kinds


async def test_unanswered_question_escalates_to_next_expert_then_channel(
    chat: Chat, community: str, port: FakePort, clock: FrozenClock
) -> None:
    await chat("community link data-eng", as_="lead", channel="C1")
    await chat("expertise add kubernetes level 4", as_="ada")
    await chat("expertise add kubernetes level 1", as_="lead")
    number = await ask_ada(chat)
    await chat.tick()
    assert not any("asks you about" in t for t in port.texts("lead"))
    clock.advance(23 * HOURS)
    await chat.tick()
    assert not any("asks you about" in t for t in port.texts("lead"))
    clock.advance(2 * HOURS)
    await chat.tick()
    offered = [t for t in port.texts("lead") if "asks you about" in t]
    # Experts reached by escalation do not learn who asked.
    assert len(offered) == 1 and "A member of Data Engineering asks" in offered[0]
    assert "Bo" not in offered[0]
    assert "so I asked *Lead* too" in port.texts("bo")[-1]
    await chat.tick()  # nothing due: no second offer
    assert len([t for t in port.texts("lead") if "asks you about" in t]) == 1
    clock.advance(25 * HOURS)
    await chat.tick()
    channel = port.texts("#C1")
    assert any(f"Question {number}: can you help?" in t for t in channel)
    assert not any("Bo" in t for t in channel if "can you help" in t)
    assert "posted your question" in port.texts("bo")[-1]
    # The leader answers from the channel's button; Bo hears it.
    post = next(r for r in port.to("#C1") if "can you help" in (r.title or ""))
    form_reply = (await chat.click(button(post, "Answer"), as_="lead", channel="C1"))[0]
    assert form_reply.form is not None
    await chat.submit(form_reply.form.form_id, {"answer": "Ask the platform team."}, as_="lead")
    clock.advance(100 * HOURS)
    await chat.tick()
    assert "*Lead* answered your question" in port.texts("bo")[-1]


async def test_not_me_and_ask_someone_else_move_it_on(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("expertise add kubernetes level 4", as_="ada")
    await chat("expertise add kubernetes level 1", as_="lead")
    number = await ask_ada(chat)
    assert "not waiting for you" in await chat.text(f"question pass {number}", as_="lead")
    assert "offer question" in await chat.text(f"question pass {number}", as_="ada")
    await chat.tick()
    assert any("asks you about" in t for t in port.texts("lead"))
    await chat(f"answer {number} Try the VPA recommender.", as_="lead")
    await chat.deliver()
    answer = port.to("bo")[-1]
    again = await chat.click(button(answer, "Ask someone else"), as_="bo")
    assert "next expert" in text_of(again)
    await chat.tick()
    # Ada declined and Lead was asked: nobody is left and there is no channel.
    assert "nobody else to ask" in port.texts("bo")[-1]
    refused = await chat.text(f"question another {number}", as_="ada")
    assert "Only the person who asked" in refused


async def test_ask_the_community_and_list_open_questions(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("community link data-eng", as_="lead", channel="C1")
    await chat("join data-eng", as_="cy")
    sent = await chat.text("ask How do we <!channel> backfill? #airflow", as_="ada")
    assert "posted your question 1 to Data Engineering's channel" in sent
    await chat.deliver()
    post = port.to("#C1")[-1]
    assert "backfill" in post.text and "Ada" not in post.text and "airflow" in post.text
    assert "already asked" in await chat.text(
        "ask How do we <!channel> backfill? #airflow", as_="ada"
    )
    for n in range(6):
        await chat(f"ask Question number {n}?", as_="bo")
    listing = await chat("questions", as_="lead")
    text = text_of(listing)
    assert "Open questions in Data Engineering" in text and "Page 1 of 2 (7 in all)" in text
    assert "*1.* How do we <!channel> backfill?" in text
    second = await chat.click(button(listing[0], "Next page (2/2)"), as_="lead")
    assert "Question number 5" in text_of(second)
    assert "I sent your answer" in await chat.text("answer 1 Use a separate pool.", as_="bo")
    # Asker privacy: a member who did not answer does not see who asked; answerers, leaders do.
    assert "Asked by" not in await chat.text("question 1", as_="cy")
    assert "Asked by: Ada" in await chat.text("question 1", as_="bo")
    assert "Asked by: Ada" in await chat.text("question 1", as_="lead")


async def test_permissions_and_bad_input(chat: Chat, community: str) -> None:
    await chat("join data-eng", as_="cy")
    await chat("ask Is this private? #security", as_="ada")
    assert "can't find question 1" in await chat.text("question 1", as_="stranger")
    assert "can't find question 1" in await chat.text("answer 1 yes", as_="stranger")
    assert "can't find question 99" in await chat.text("answer 99 yes", as_="bo")
    assert "Which question?" in await chat.text("answer yes please", as_="bo")
    assert "answers come from others" in await chat.text("answer 1 bump", as_="ada")
    assert "Only the person who asked" in await chat.text("question solved 1", as_="bo")
    assert "no answer yet" in await chat.text("question lesson 1", as_="ada")
    form_reply = (await chat("ask #airflow", as_="ada"))[0]
    assert form_reply.form is not None and form_reply.form.form_id == "question.ask:data-eng"
    empty = await chat.submit("question.ask:data-eng", {"question": " "}, as_="ada")
    assert empty[0].errors == (("question", "Write your question."),)
    asked = await chat.submit(
        "question.ask:data-eng", {"question": "Line one\nline two", "topics": "#airflow"}, as_="ada"
    )
    assert "posted your question 2" in text_of(asked)
    assert "Line one\nline two" in await chat.text("question 2", as_="bo")
    assert "under 2,000 characters" in await chat.text("ask " + "x" * 2001, as_="ada")
    too_long = await chat.submit("question.answer:1", {"answer": "y" * 3001}, as_="bo")
    assert too_long[0].errors
    assert "expired" in text_of(await chat.submit("question.answer:x", {"answer": "y"}, as_="bo"))
    assert "not in a community" in await chat.text("ask Anyone?", as_="stranger")
    assert "not in a community" in await chat.text("ask", as_="stranger")
    await chat("answer 1 Yes.", as_="bo")
    assert "can save it as a lesson" in await chat.text("question lesson 1", as_="cy")
    await chat("question solved 1", as_="ada")
    assert "already solved" in await chat.text("answer 1 late", as_="cy")


async def test_questions_feed_expert_gaps(chat: Chat, community: str) -> None:
    await chat("ask How do I tune Spark? #spark", as_="ada")
    await chat("ask Spark shuffles? #spark #airflow", as_="bo")
    text = await chat.text("experts gaps", as_="lead")
    assert "*spark* — used 2 times" in text
    assert "Asked about with nobody listed: spark (2), airflow (1)" in text


async def test_my_data_and_forget_cover_questions_and_stories(chat: Chat, community: str) -> None:
    import json

    await chat("ask Where is the runbook? #oncall", as_="ada")
    await chat("answer 1 In the wiki, under Ops.", as_="bo")
    await chat.submit(
        "story.new:data-eng",
        {
            "title": "Runbook found",
            "situation": "Paged at night.",
            "activity": "Bo answered.",
            "result": "Saved 2 hours.",
            "cycle": "immediate",
            "people": "@ada",
            "consent": "yes",
        },
        as_="bo",
    )
    attachment = (await chat("my data", as_="ada"))[0].file
    assert attachment is not None
    data = json.loads(attachment.data)
    assert data["questions_stored"][0]["question"] == "Where is the runbook?"
    assert data["stories_naming_you"] == [1]
    bo = json.loads((await chat("my data", as_="bo"))[0].file.data)  # type: ignore[union-attr]
    assert bo["answers_written"][0]["answer"] == "In the wiki, under Ops."
    assert bo["stories_written"][0]["title"] == "Runbook found"
    await chat("forget me confirm", as_="ada")
    shown = await chat.text("question 1", as_="bo")
    assert "runbook" not in shown and "(removed)" in shown
    assert "Thanks to" not in await chat.text("story 1", as_="bo")


async def test_a_typed_answer_or_question_over_its_limit_is_refused_with_the_limit(
    chat: Chat, community: str
) -> None:
    await chat("expertise add kubernetes", as_="ada")
    number = await ask_ada(chat)
    too_long = await chat(f"answer {number} " + "x" * 3001, as_="ada")
    assert text_of(too_long) == "Please keep the answer under 3,000 characters."
    asked = await chat("ask " + "y" * 2001 + f" in {community}", as_="bo")
    assert text_of(asked) == "Please keep the question under 2,000 characters."
    listing = await chat("expert kubernetes", as_="bo")
    typed = f"{button(listing[0], 'Ask Ada').command} " + "z" * 2001  # the Ask button, typed
    assert text_of(await chat(typed, as_="bo")) == (
        "Please keep the question under 2,000 characters."
    )
    assert "I sent your question" in text_of(await chat(typed[:-1], as_="bo"))
