"""The demo data gives expert lookup and lesson search something realistic to show."""

from __future__ import annotations

from tests.demo_copy import seed_demo
from tests.helpers import Chat


async def test_demo_experts_and_lessons(chat: Chat) -> None:
    assert await seed_demo(chat.core.services)
    experts = await chat.text("expert k8s", as_="linus")
    assert experts.index("*Ada Lovelace*") < experts.index("*Omar Haddad*")
    assert "designated SME in Data Engineering" in experts
    assert "Kubernetes upgrades" in experts
    found = await chat.text("lessons backfill", as_="linus")
    assert "Backfills need their own worker pool" in found
    assert "Scaffold tags" in await chat.text("lessons scaffold shift", as_="sam")
    # That one is for the safety community only; Linus is in data engineering.
    assert "Scaffold tags" not in await chat.text("lessons scaffold shift", as_="linus")
    assert "Happened on" in await chat.text("lesson show 1", as_="linus")
    assert "Photo evidence" in await chat.text("lessons pending", as_="tove")
    gaps = await chat.text("experts gaps in safety", as_="tove")
    assert "near-miss" in gaps


async def test_demo_gaps_list_only_the_communitys_own_topics(chat: Chat) -> None:
    assert await seed_demo(chat.core.services)
    gaps = await chat.text("experts gaps in data-eng", as_="grace")
    # Omar, a data engineer, also inspects for safety: his lockout-tagout is safety's topic.
    assert "lockout-tagout" not in gaps and "spark" in gaps
    assert "lockout-tagout" not in await chat.text("experts gaps in safety", as_="tove")  # SME
