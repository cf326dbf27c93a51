"""Lessons are searched in their community's language (PostgreSQL), else with `simple`."""

from __future__ import annotations

import os

import pytest

from bot.communities.checks import check_language
from bot.errors import UserError
from storage.search import search_language
from tests.helpers import Chat

PG = bool(os.environ.get("COPBOT_TEST_DATABASE_URL"))
# FTS5's porter stemmer is the same for every lesson (storage/search.py explains).
only_pg = pytest.mark.skipif(not PG, reason="the search language applies on PostgreSQL")

GERMAN = "lesson Gerüste prüfen | Wir prüfen die Leitern und Gerüste jede Woche #scaffolding"


async def publish(chat: Chat, line: str) -> None:
    replies = await chat(line, as_="lead")
    number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
    await chat(f"lesson publish {number}", as_="lead")


def test_language_words() -> None:
    assert check_language("Deutsch") == check_language("de") == "german"
    assert check_language(" English ") == "english"
    assert check_language("none") is None and check_language("") is None
    with pytest.raises(UserError):
        check_language("klingon")
    assert search_language("german") == "german"
    assert search_language(None) == search_language("klingon") == "simple"


async def test_a_leader_sets_the_language_and_the_charter_shows_it(
    chat: Chat, community: str
) -> None:
    charter = await chat.text("charter data-eng", as_="ada")
    assert "none: lesson search matches exact words" in charter
    refused = await chat.text("charter edit language klingon", as_="lead")
    assert "can't search lessons in `klingon`" in refused and "german" in refused
    assert "Updated the search language" in await chat.text(
        "charter edit language deutsch", as_="lead"
    )
    assert "German: lesson search knows its word forms" in await chat.text(
        "charter data-eng", as_="ada"
    )
    member = await chat.text("charter edit language english", as_="ada")
    assert "Updated" not in member


@only_pg
async def test_a_german_community_finds_inflected_german_words(chat: Chat, community: str) -> None:
    await chat("charter edit language german", as_="lead")
    await publish(chat, GERMAN)
    # "Gerüst" and "Leiter" are in the text only as "Gerüste" and "Leitern".
    assert "*Gerüste prüfen*" in await chat.text("lessons Gerüst Leiter", as_="ada")


@only_pg
async def test_no_language_searches_exact_words_and_a_change_reindexes(
    chat: Chat, community: str
) -> None:
    await publish(chat, GERMAN)
    await publish(chat, "lesson Upgrades need a canary | Upgrade one node pool at a time #k8s")
    # No language: `simple`, so only the words as written match, in any language.
    assert "*Gerüste prüfen*" in await chat.text("lessons Gerüste Leitern", as_="ada")
    assert "No lessons match" in await chat.text("lessons Leiter", as_="ada")  # "Leitern"
    assert "No lessons match" in await chat.text("lessons upgrading canaries", as_="ada")
    # Setting the language indexes the lessons already there again.
    await chat("charter edit language german", as_="lead")
    assert "*Gerüste prüfen*" in await chat.text("lessons Gerüst Leiter", as_="ada")
    await chat("charter edit language english", as_="lead")
    assert "*Upgrades need a canary*" in await chat.text("lessons upgrading canaries", as_="ada")
    assert "No lessons match" in await chat.text("lessons Leiter", as_="ada")  # "Leitern"


@only_pg
async def test_one_search_across_communities_of_two_languages(chat: Chat, community: str) -> None:
    await chat("charter edit language german", as_="lead")
    await publish(chat, GERMAN)
    await chat("community new safety Safety", as_="lead")
    await chat("charter edit language english in safety", as_="lead")
    await publish(
        chat, "lesson Scaffold tags | Tag every scaffold before use in safety #scaffolding"
    )
    # Each lesson is matched with its own stemmer: "Gerüst" (German), "scaffolds" (English).
    found = await chat.text("lessons Gerüst or scaffolds", as_="ada")
    assert "*Gerüste prüfen*" in found and "*Scaffold tags*" in found
    assert "No lesson has all your words" in found
