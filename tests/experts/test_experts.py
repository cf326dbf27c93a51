"""Expert lookup: profiles, ranking with evidence, topic matching, availability and routing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.topics import canonical, normalise, split_topics
from storage import experts
from storage.db import Database
from tests.helpers import Chat, FakePort, text_of


async def member_id(database: Database, handle: str) -> int:
    from storage import people

    async with database.session() as session:
        member = await people.find_member_by_platform_id(session, "console", handle)
        assert member is not None and member.id is not None
        return member.id


# -- topic matching -------------------------------------------------------------------------------

KNOWN = ["kubernetes", "terraform", "data-quality", "near-miss", "airflow"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Kubernetes", "kubernetes"),
        ("KUBERNETES", "kubernetes"),
        ("k8s", "kubernetes"),
        ("kubernets", "kubernetes"),
        ("kuberentes", "kubernetes"),
        ("#terraform", "terraform"),
        ("Data Quality", "data-quality"),
        ("near misses", "near-miss"),
        ("airflows", "airflow"),
        ("tf", "terraform"),
    ],
)
def test_topic_matching_forgives_case_plural_typos_and_aliases(typed: str, expected: str) -> None:
    assert canonical(typed, KNOWN) == expected


def test_unrelated_words_do_not_match() -> None:
    assert canonical("cooking", KNOWN) is None
    assert canonical("ab", KNOWN) is None


def test_split_and_normalise() -> None:
    assert split_topics("kubernetes, Terraform #python and data quality") == [
        "kubernetes",
        "terraform",
        "python",
        "data-quality",
    ]
    assert normalise("  '; DROP TABLE x; -- ") == "drop-table-x"


# -- profile and expertise ------------------------------------------------------------------------


async def test_expertise_add_shows_on_profile_with_level(chat: Chat, community: str) -> None:
    text = await chat.text("expertise add Kubernetes, terraform level 3", as_="ada")
    assert "kubernetes" in text and "terraform" in text and "level 3" in text
    profile = await chat.text("profile @Ada", as_="bo")
    assert "*kubernetes* — level 3 (advanced)" in profile
    assert "Availability: open to questions" in profile
    # Adding again changes the level.
    assert "updated" in await chat.text("expertise add kubernetes level expert", as_="ada")
    assert "level 4 (expert)" in await chat.text("profile", as_="ada")


async def test_typo_on_add_joins_the_known_topic(chat: Chat, community: str) -> None:
    await chat("expertise add kubernetes", as_="ada")
    text = await chat.text("expertise add kuberntes", as_="bo")
    assert "kubernetes (you typed kuberntes)" in text


async def test_expertise_remove_with_undo(chat: Chat, community: str) -> None:
    await chat("expertise add terraform", as_="ada")
    replies = await chat("expertise remove Terraform", as_="ada")
    assert "Removed terraform" in text_of(replies)
    assert "not on your profile" in await chat.text("expertise remove terraform", as_="ada")
    await chat.click(replies[0].choices[0], as_="ada")
    assert "*terraform*" in await chat.text("profile", as_="ada")


async def test_bad_level_is_explained(chat: Chat, community: str) -> None:
    assert "Levels are 1 aware" in await chat.text("expertise add sql level guru", as_="ada")
    assert "Which topics" in await chat.text("expertise add", as_="ada")


# -- endorsements and SMEs ------------------------------------------------------------------------


async def test_endorse_is_idempotent_and_not_for_yourself(
    chat: Chat, community: str, port: FakePort
) -> None:
    assert "You endorsed Ada for kubernetes" in await chat.text("endorse @ada K8s", as_="bo")
    assert "already endorsed" in await chat.text("endorse @ada kubernetes", as_="bo")
    assert "can't endorse yourself" in await chat.text("endorse @ada kubernetes", as_="ada")
    await chat.deliver()
    assert any("endorsed you for *kubernetes*" in t for t in port.texts("ada"))
    assert "1 endorsement" in await chat.text("profile @ada", as_="lead")


async def test_sme_designation_needs_a_leader(
    chat: Chat, community: str, database: Database
) -> None:
    refused = await chat.text("sme add @ada kubernetes", as_="bo")
    assert "Only leaders" in refused
    assert "now an SME for kubernetes" in await chat.text("sme add @ada kubernetes", as_="lead")
    assert "already an SME" in await chat.text("sme add @ada Kubernetes", as_="lead")
    assert "SME in Data Engineering" in await chat.text("profile @ada", as_="bo")
    assert "Ada" in await chat.text("smes", as_="bo")
    assert "SME: Ada" in await chat.text("roles", as_="bo")
    assert "no longer an SME" in await chat.text("sme remove @ada k8s", as_="lead")
    undo = (await chat("sme add @ada airflow", as_="lead"))[0].choices[0]
    assert "no longer an SME for airflow" in "\n".join(
        r.text for r in await chat.click(undo, as_="lead")
    )


# -- ranking --------------------------------------------------------------------------------------


async def test_ranking_order_and_evidence(chat: Chat, community: str, database: Database) -> None:
    await chat("join data-eng", as_="cy")
    await chat("expertise add kubernetes level 4", as_="bo")  # 4
    await chat("expertise add kubernetes level 1", as_="ada")  # 1 + 3 (SME) = 4 + endorsements
    await chat("sme add @ada kubernetes", as_="lead")
    await chat("endorse @ada kubernetes", as_="cy")
    await chat("expertise add kubernetes level 2", as_="cy")
    text = await chat.text("expert kubernetes", as_="lead")
    ada, bo, cy = text.index("*Ada*"), text.index("*Bo*"), text.index("*Cy*")
    assert ada < bo < cy
    assert "designated SME in Data Engineering; 1 endorsement; self-declared level 1" in text
    assert "self-declared level 4 (expert)" in text
    # Scores follow DOMAIN.md 5.2.
    async with database.session() as session:
        rows = await experts.rank_experts(
            session, "kubernetes", asker_id=0, asker_communities=[], limit=10
        )
    first = rows[0]
    assert first.score == pytest.approx(experts.expert_score(1, 0, 0, 0, 1, 1))
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)


async def test_asker_is_not_listed_and_others_communities_come_later(
    chat: Chat, community: str
) -> None:
    await chat("community new safety Safety", as_="tove")
    await chat("expertise add kubernetes level 4", as_="tove")
    await chat("expertise add kubernetes level 1", as_="bo")
    text = await chat.text("expert kubernetes", as_="ada")
    assert text.index("*Bo*") < text.index("*Tove*")  # Bo shares data-eng with Ada
    assert "*Bo*" not in await chat.text("expert kubernetes", as_="bo")


async def test_alias_typo_and_plural_lookup(chat: Chat, community: str) -> None:
    await chat("expertise add kubernetes, data pipelines", as_="ada")
    for typed in ("k8s", "Kubernetes", "kubernets", "KUBERNETES"):
        text = await chat.text(f"expert {typed}", as_="bo")
        assert "People who know kubernetes" in text and "*Ada*" in text, typed
    assert "*Ada*" in await chat.text("expert data pipeline", as_="bo")
    assert "nobody listed for *gardening*" in await chat.text("expert gardening", as_="bo")


async def test_availability_filters_results(chat: Chat, community: str) -> None:
    await chat("expertise add kubernetes", as_="ada")
    await chat("expertise add kubernetes", as_="bo")
    await chat("availability do-not-route", as_="ada")
    assert "*Ada*" not in await chat.text("expert kubernetes", as_="lead")
    await chat("availability busy", as_="ada")
    replies = await chat("expert kubernetes", as_="lead")
    text = text_of(replies)
    assert text.index("*Bo*") < text.index("*Ada*") and "busy: not taking questions" in text
    assert [c.label for c in replies[0].choices if c.label.startswith("Ask")] == ["Ask Bo"]
    assert "not taking questions" in await chat.text(
        f"expert ask {await _id(chat, 'ada')} kubernetes help?", as_="lead"
    )
    await chat("availability mentor", as_="ada")
    assert "mentor" in await chat.text("availability", as_="ada")


async def test_community_only_profile(chat: Chat, community: str) -> None:
    await chat("expertise add kubernetes", as_="ada")
    await chat("availability visible community", as_="ada")
    assert "communities only" in await chat.text("profile @ada", as_="stranger")
    assert "*Ada*" not in await chat.text("expert kubernetes", as_="stranger")
    assert "*Ada*" in await chat.text("expert kubernetes", as_="bo")


async def _id(chat: Chat, handle: str) -> int:
    return await member_id(chat.core.services.db, handle)


# -- asking ---------------------------------------------------------------------------------------


async def test_ask_button_form_then_question_reaches_the_expert(
    chat: Chat, community: str, port: FakePort, database: Database
) -> None:
    await chat("expertise add kubernetes", as_="ada")
    replies = await chat("expert kubernetes", as_="bo")
    ask = next(c for c in replies[0].choices if c.label == "Ask Ada")
    form_reply = (await chat.click(ask, as_="bo"))[0]
    assert form_reply.form is not None
    invalid = await chat.submit(form_reply.form.form_id, {"question": " "}, as_="bo")
    assert invalid[0].errors == (("question", "Write your question."),)
    sent = await chat.submit(
        form_reply.form.form_id, {"question": "How do you size pod requests?"}, as_="bo"
    )
    assert "I sent your question to *Ada*" in text_of(sent)
    again = await chat.submit(
        form_reply.form.form_id, {"question": "How do you size pod requests?"}, as_="bo"
    )
    assert "already went" in text_of(again)
    await chat.deliver()
    received = [t for t in port.texts("ada") if "asks you about" in t]
    assert len(received) == 1 and "Bo" in received[0] and "pod requests" in received[0]
    profile_button = next(c for c in port.to("ada")[-1].choices if c.label == "Profile of Bo")
    assert "Profile of Bo" in text_of(await chat.click(profile_button, as_="ada"))
    async with database.session() as session:
        routed = await experts.routed_since(session, [await _id(chat, "ada")], START_OF_TIME)
    assert list(routed.values()) == [1]


from tests.conftest import START as _START  # noqa: E402

START_OF_TIME = _START - timedelta(days=1)


async def test_weekly_cap_suggests_the_next_person(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("expertise add kubernetes level 4", as_="ada")
    await chat("expertise add kubernetes level 1", as_="bo")
    await chat("availability cap 2", as_="ada")
    ada = await _id(chat, "ada")
    for n in range(2):
        assert "I sent" in await chat.text(f"expert ask {ada} kubernetes question {n}", as_="lead")
    refused = await chat.text(f"expert ask {ada} kubernetes question 3", as_="lead")
    assert "already had their 2 questions this week" in refused
    assert "Next best for kubernetes: *Bo*" in refused
    listing = await chat.text("expert kubernetes", as_="lead")
    assert "busy: enough questions this week" in listing
    clock.advance(timedelta(days=7, minutes=1))
    assert "I sent" in await chat.text(f"expert ask {ada} kubernetes question 3", as_="lead")


async def test_expert_gaps_for_leaders(chat: Chat, community: str, database: Database) -> None:
    await chat("expertise add kubernetes, airflow", as_="ada")
    await chat("expertise add airflow", as_="bo")
    await chat("sme add @ada kubernetes", as_="lead")
    text = await chat.text("experts gaps", as_="lead")
    assert "*airflow* — used 2 times" in text and "kubernetes" not in text
    assert "Only leaders" in await chat.text("experts gaps", as_="ada")
    async with database.session() as session:
        from storage import communities

        found = await communities.find_community(session, "data-eng")
        assert found is not None and found.id is not None
        assert await experts.topics_without_sme(session, found.id) == [("airflow", 2)]


async def test_expert_gaps_leave_out_one_members_topic_from_elsewhere(
    chat: Chat, community: str
) -> None:
    await chat("expertise add airflow, lockout-tagout", as_="ada")
    await chat("expertise add airflow", as_="bo")
    text = await chat.text("experts gaps", as_="lead")
    assert "*airflow* — used 2 times" in text and "lockout-tagout" not in text


async def test_results_show_department_and_local_time_from_the_profile(
    chat: Chat, community: str, database: Database
) -> None:
    from storage import people

    await chat("expertise add kubernetes", as_="ada")
    await chat("timezone Europe/Berlin", as_="ada")
    async with database.session() as session:
        ada = await people.get_member(session, await member_id(database, "ada"))
        assert ada is not None
        ada.department = "Data Platform"  # what the Slack/Teams profile sync fills in
        session.add(ada)
        await session.commit()
    text = await chat.text("expert kubernetes", as_="bo")
    # The clock starts at 09:00 UTC on 2 March: 10:00 in Berlin.
    assert "*Ada* — Data Platform, Europe/Berlin, 10:00 there" in text
