"""Routing and help for every registered verb; no input ever yields a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_registry
from bot.messages import Command, ConversationRef, Platform, User
from tests.helpers import Chat, text_of

REGISTRY = build_registry()  # the verbs of this build, for parametrising
VERBS = sorted(REGISTRY.commands)
APOLOGY = "something went wrong on my side"


async def test_help_lists_every_visible_verb(chat: Chat) -> None:
    overview = await chat.text("help")
    for spec in REGISTRY.commands.values():
        if not spec.hidden:
            assert spec.usage in overview, spec.verb


@pytest.mark.parametrize("verb", VERBS)
async def test_help_for_each_verb_shows_its_usage(chat: Chat, verb: str) -> None:
    spec = REGISTRY.commands[verb]
    assert spec.usage.strip() and spec.summary.strip()
    if not spec.hidden:
        assert spec.usage in await chat.text(f"help {verb}")


@pytest.mark.parametrize("verb", VERBS)
async def test_each_verb_answers_without_arguments_and_with_junk(
    chat: Chat, community: str, verb: str
) -> None:
    for text in (verb, f"{verb} ???", f"{verb} 999999", f"{verb} <!channel> ' \" ; --"):
        for who in ("ada", "lead", "stranger"):
            replies = await chat(text, as_=who)
            assert replies, text
            assert APOLOGY not in text_of(replies), (text, who)


async def test_unknown_verb_suggests_the_closest(chat: Chat) -> None:
    text = await chat.text("jion data-eng")
    assert "I don't know `jion`" in text and "Did you mean `join`" in text
    assert "Commands:" in text


async def test_leading_cop_and_case_are_forgiven(chat: Chat, community: str) -> None:
    assert "Charter of Data Engineering" in await chat.text("cop CHARTER data-eng", as_="ada")
    assert "Charter of Data Engineering" in await chat.text("/cop charter data-eng", as_="ada")
    assert "What I can do" in await chat.text("cop")


async def test_empty_message_gets_the_help(chat: Chat) -> None:
    assert "What I can do" in await chat.text("   ")


async def test_in_community_suffix_picks_the_community(chat: Chat, community: str) -> None:
    await chat("community new safety Safety", as_="lead")
    assert "Charter of Safety" in await chat.text("charter in safety", as_="ada")
    # Words that merely look like the suffix stay in the arguments.
    assert "I don't know a community" in await chat.text("charter in-house", as_="ada")


async def test_very_long_input_is_refused_politely(chat: Chat) -> None:
    assert "too long" in await chat.text("lessons " + "x" * 25_000)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
async def test_any_text_gets_a_reply_not_a_traceback(chat: Chat, text: str) -> None:
    replies = await chat.core.router.handle(
        Command(
            User(Platform.CONSOLE, "fuzz"),
            ConversationRef(Platform.CONSOLE, "dm:fuzz", is_direct=True),
            text,
        )
    )
    assert replies
    assert APOLOGY not in text_of(replies)


async def test_a_two_word_verb_with_a_wrong_second_word_gets_its_family(chat: Chat) -> None:
    typo = await chat.text("meeting shwo 1")
    assert "I don't know `meeting shwo`. Did you mean `meeting show`?" in typo
    assert "`meeting` goes with: `meeting cancel`," in typo and "`meeting show`" in typo
    moved = await chat.text("meeting attendance 1")
    assert "Did you mean `attendance`?" in moved
    alone = await chat.text("role")
    assert "I don't know `role` alone." in alone and "`role add`, `role remove`" in alone
    assert [c.command for c in (await chat("role"))[0].choices] == [
        "help role add",
        "help role remove",
    ]


async def test_a_page_number_that_is_not_one_is_explained_not_searched(
    chat: Chat, community: str
) -> None:
    for line in ("members data-eng page -1", "lessons retries page 9999999", "members page +2"):
        assert "Pages are numbered from 1" in await chat.text(line, as_="ada"), line
    # `page` as an ordinary word is still searched.
    assert "No lessons match `page layout`" in await chat.text("lessons page layout", as_="ada")
