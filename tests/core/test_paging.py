"""`page N` on its own turns the pages of the last list shown, as the footer and README offer."""

from __future__ import annotations

from tests.helpers import Chat, text_of


async def _many_communities(chat: Chat, count: int = 23) -> None:
    for n in range(count):
        await chat(f"community new c{n:02d} Community {n:02d}", as_="root")


async def test_a_bare_page_number_continues_the_last_list(chat: Chat) -> None:
    await _many_communities(chat)
    first = await chat.text("communities", as_="ada")
    assert "Page 1 of 3 (23 in all)" in first and "Community 00" in first
    second = await chat.text("page 2", as_="ada")
    assert "I don't know" not in second
    assert "Page 2 of 3 (23 in all)" in second and "Community 10" in second
    assert "Community 00" not in second
    third = await chat.text("PAGE 3", as_="ada")
    assert "Page 3 of 3" in third and "Community 22" in third
    # The list is remembered per person and conversation: in a channel it is a new start.
    elsewhere = await chat.text("page 2", as_="ada", channel="C1")
    assert "`lessons page 2`" in elsewhere and "I don't know" not in elsewhere


async def test_page_keeps_the_community_the_list_was_for(chat: Chat) -> None:
    await _many_communities(chat)
    for n in range(25):
        await chat("join c00", as_=f"p{n:02d}")
    await chat.text("members in c00", as_="root")
    second = text_of(await chat("page 2", as_="root"))
    assert "Members of Community 00" in second and "Page 2 of 2 (26 in all)" in second


async def test_page_without_a_number_or_a_list_says_what_to_type(chat: Chat) -> None:
    assert "e.g. `page 2`" in await chat.text("page two", as_="ada")
    assert "e.g. `lessons page 2`" in await chat.text("page 2", as_="ada")
    assert "e.g. `page 2`" in await chat.text("page", as_="ada")
