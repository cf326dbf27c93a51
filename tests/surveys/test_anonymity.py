"""Anonymity that survives differencing (issue 13): while an anonymous survey is open nobody
sees more than its response rate; once closed, each question shows only from the anonymity
threshold (5) of answers, free text sorted by its text. Every results view follows the rule."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp.test_utils import TestClient

from bot import downloads
from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Reply
from bot.surveys.core import Question
from bot.surveys.files import chart_png
from bot.surveys.stats import stats_for
from storage.db import Database
from tests.helpers import Chat, FakePort, text_of

MORE = ("cy", "di", "eve", "fay")  # with the fixture's lead, ada and bo: 7 members
ONE = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}
THREE = ONE | {
    "questions": "a5: The last session was useful\n"
    "choice: Which format next? | Talk | Workshop (optional)\n"
    "text: What should we do more of? (optional)"
}
# Anything that would be a figure or an answer, in any view.
FIGURES = ("Agree", "agree", "Neither", "n=", "mean", "favourable", "Talk", "Workshop")
IDEAS = ("zebra crossings", "Apple pie", "mango lassi", "Banana bread", "kiwi jam")


async def everyone(chat: Chat, community: str) -> None:
    for handle in MORE:
        await chat(f"join {community}", as_=handle)


def rate_free(text: str, rate: str) -> str:
    """The view with its response rate blanked, so two looks can be compared for anything else."""
    return text.replace(rate, "<rate>")


def png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


async def csv_rows(client: TestClient, settings: Settings, clock: FrozenClock) -> list[list[str]]:
    url = downloads.link(settings, "survey-csv", "1", now=clock.now())
    response = await client.get(url.removeprefix(settings.base_url))
    assert response.status == 200
    return list(csv.reader(io.StringIO(await response.text())))


async def http(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> TestClient:
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    client: TestClient = await aiohttp_client(app)
    return client


async def test_a_sixth_answer_cannot_be_read_by_looking_before_and_after(
    chat: Chat, community: str
) -> None:
    """Before: the second look added 'Strongly disagree 1' to the first: her answer."""
    await everyone(chat, community)
    await chat.submit("survey.new:data-eng", ONE, as_="lead")
    for handle in ("ada", "bo", "cy", "di", "eve"):
        await chat("survey answer 1 4", as_=handle)
    before = await chat("survey results 1", as_="lead")
    await chat("survey answer 1 1", as_="fay")
    after = await chat("survey results 1", as_="lead")
    assert "5 of 7 answered (71%)" in text_of(before)
    assert "6 of 7 answered (86%)" in text_of(after)
    assert rate_free(text_of(before), "5 of 7 answered (71%)") == rate_free(
        text_of(after), "6 of 7 answered (86%)"
    )
    for look in (before, after):
        assert not any(word in text_of(look) for word in FIGURES), text_of(look)
        assert look[0].image is None and not look[0].choices
    assert "Results appear when it closes on Mon 9 Mar 2026, 09:00 UTC" in text_of(after)


async def test_a_changed_answer_cannot_be_read_by_looking_before_and_after(
    chat: Chat, community: str
) -> None:
    await everyone(chat, community)
    await chat.submit("survey.new:data-eng", ONE, as_="lead")
    for handle in ("ada", "bo", "cy", "di", "eve"):
        await chat("survey answer 1 4", as_=handle)
    before = text_of(await chat("survey results 1", as_="lead"))
    await chat("survey answer 1 1", as_="ada")
    after = text_of(await chat("survey results 1", as_="lead"))
    assert before == after and "5 of 7 answered (71%)" in after
    assert not any(word in after for word in FIGURES)
    await chat("survey close 1 confirm", as_="lead")
    closed = text_of(await chat("survey results 1", as_="lead"))
    assert "n=5" in closed and "Strongly disagree 1, Agree 4" in closed


async def test_an_optional_question_answered_by_one_stays_hidden_in_chat_csv_and_chart(
    aiohttp_client: Any,
    chat: Chat,
    community: str,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    """Before: 5 respondents made the survey 'big enough', and Q2 showed `n=1; Talk 1`."""
    await everyone(chat, community)
    await chat.submit("survey.new:data-eng", THREE, as_="lead")
    for handle in ("ada", "bo", "cy", "di"):
        await chat.submit("survey.answer:1", {"q0": "4"}, as_=handle)
    await chat.submit("survey.answer:1", {"q0": "1", "q1": "Talk"}, as_="eve")
    await chat("survey close 1 confirm", as_="lead")
    shown = await chat("survey results 1", as_="lead")
    text = text_of(shown)
    assert "n=5" in text and "Strongly disagree 1, Agree 4" in text
    assert "n=1" not in text and "Talk" not in text
    assert text.count("Hidden: fewer than 5 answers to this question") == 2  # Q2 and Q3
    # The chart draws Q1 alone: exactly the size of a chart of Q1 alone.
    q1 = stats_for(Question("a5", "The last session was useful"), ["1", "4", "4", "4", "4"])
    alone = chart_png("Quick check", [q1])
    assert shown[0].image is not None and alone is not None
    assert png_size(shown[0].image.png) == png_size(alone)
    rows = await csv_rows(await http(aiohttp_client, settings, database, clock), settings, clock)
    q2 = [r for r in rows if r[0].startswith("Q2 ")]
    assert q2 == [["Q2 Which format next?", "choice", "hidden: too few answers to stay anonymous"]
                  + [""] * 5]  # fmt: skip
    assert not any("Talk" in cell for row in rows for cell in row)
    assert [r[3] for r in rows if r[0].startswith("Q1 ") and r[2] == "Agree"] == ["4"]


async def views(
    chat: Chat, port: FakePort, client: TestClient, settings: Settings, clock: FrozenClock
) -> dict[str, tuple[str, list[Reply]]]:
    """Every place survey results could show, as (what a person reads, the replies)."""
    found: dict[str, tuple[str, list[Reply]]] = {}
    for who in ("lead", "root", "ada"):  # leader, coordinator, member
        replies = await chat("survey results 1", as_=who)
        found[f"results for {who}"] = (text_of(replies), replies)
        home = await chat.core.router.home(chat.user(who))  # Slack App Home and `home`
        found[f"home of {who}"] = (text_of(home), home)
    for command in ("survey 1", "surveys in data-eng", "survey close 1"):
        replies = await chat(command, as_="lead")
        found[command] = (text_of(replies), replies)
    rows = await csv_rows(client, settings, clock)
    found["csv"] = ("\n".join(",".join(r) for r in rows), [])
    await chat.deliver()
    for who in ("lead", "ada", "fay"):
        found[f"messages to {who}"] = ("\n".join(port.texts(who)), port.to(who))
    return found


async def test_every_view_of_survey_results_follows_the_rule(
    aiohttp_client: Any,
    chat: Chat,
    community: str,
    port: FakePort,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    await everyone(chat, community)
    await chat.submit("survey.new:data-eng", THREE, as_="lead")
    answers = zip(
        ("ada", "bo", "cy", "di", "eve", "fay"), ("4", "4", "5", "2", "4", "1"), strict=True
    )
    for number, (handle, score) in enumerate(answers):
        values = {"q0": score, "q2": IDEAS[number] if number < len(IDEAS) else ""}
        if handle == "fay":
            values["q1"] = "Workshop"
        await chat.submit("survey.answer:1", values, as_=handle)
    client = await http(aiohttp_client, settings, database, clock)

    # Open: nothing but the response rate, in every view.
    while_open = await views(chat, port, client, settings, clock)
    csv_while_open = while_open.pop("csv")[0]
    assert csv_while_open == "respondents,6,invited,7\n" + (
        "question,kind,option,count,n,mean,favourable_pct,nps"
    )  # the counts, nothing else
    for name, (text, replies) in while_open.items():
        assert not any(word in text for word in FIGURES), (name, text)
        assert not any(idea.lower() in text.lower() for idea in IDEAS), (name, text)
        assert all(r.image is None and r.file is None for r in replies), name
    assert "6 of 7 answered (86%)" in while_open["results for lead"][0]
    assert "still open" in while_open["results for ada"][0]

    # Closed: each question from 5 answers, free text sorted by its text.
    await chat("survey close 1 confirm", as_="lead")
    closed = await views(chat, port, client, settings, clock)
    for who in ("lead", "root", "ada"):
        text, replies = closed[f"results for {who}"]
        assert (
            "n=6" in text and "Strongly disagree 1, Disagree 1, Agree 3, Strongly agree 1" in text
        )
        assert "Workshop" not in text and "Hidden: fewer than 5 answers" in text
        ideas = [line.strip("• ").strip() for line in text.splitlines() if "•" in line]
        assert ideas == sorted(IDEAS, key=str.lower), who
        assert replies[0].image is not None
    for name in ("home of lead", "home of ada", "survey 1", "surveys in data-eng"):
        text = closed[name][0]
        assert not any(word in text for word in FIGURES), (name, text)
    csv_text = closed["csv"][0]
    assert "Workshop" not in csv_text and "hidden: too few answers" in csv_text
    assert not any(idea in csv_text for idea in IDEAS)  # aggregates only
    assert "Q1 The last session was useful,a5,Agree,3,6" in csv_text


async def test_named_surveys_keep_live_results(chat: Chat, community: str) -> None:
    await chat.submit("survey.new:data-eng", ONE | {"anonymous": "no"}, as_="lead")
    await chat("survey answer 1 2", as_="ada")
    live = await chat("survey results 1", as_="lead")
    assert "n=1; mean 2.0; 0% favourable; Disagree 1" in text_of(live)
    assert live[0].image is not None


async def test_the_meeting_pulse_cannot_be_read_by_looking_before_and_after(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    """Before: from 3 answers the live mean moved with each tap ('rated 4.0 … by 3')."""
    await everyone(chat, community)
    await chat('meeting new "Clinic" every week on tuesday 15:00 60m', as_="lead")
    clock.set(clock.now().replace(day=3, hour=17))  # after Tuesday's session
    for handle in ("ada", "bo", "cy", "di", "eve"):
        await chat("meeting rate 1 4", as_=handle)
    before = await chat.text("meeting show 1", as_="lead")
    await chat("meeting rate 1 1", as_="fay")
    after = await chat.text("meeting show 1", as_="lead")
    assert before == after and "Last session" not in after
