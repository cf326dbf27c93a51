"""Every figure on the hand-built dataset of tests/figures/dataset.py, with the numbers worked
out by hand (see the comments), for March 2026 in New York and the February before it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.figures.core import FigureSet, compute_figures, trend_series
from bot.figures.definitions import FIGURES
from bot.figures.window import Period, Window
from storage.db import Database
from tests.figures.dataset import NOW, ZONE, build

NY = ZoneInfo(ZONE)
MARCH = Window(Period.MONTH, 2026, 3, NY)


async def figures_for(
    database: Database, settings: Settings, window: Window = MARCH
) -> tuple[FigureSet, FigureSet]:
    async with database.session() as session:
        ops, other, _ids = await build(session)
        found = await compute_figures(session, ops, window, settings=settings, now=NOW)
        neighbour = await compute_figures(session, other, window, settings=settings, now=NOW)
    return found, neighbour


def test_window_bounds_follow_the_zone_across_dst() -> None:
    assert MARCH.start == datetime(2026, 3, 1, 5, tzinfo=UTC)  # EST, UTC-5
    assert MARCH.end == datetime(2026, 4, 1, 4, tzinfo=UTC)  # EDT after 8 March, UTC-4
    assert MARCH.previous() == Window(Period.MONTH, 2026, 2, NY)
    assert MARCH.previous().end == MARCH.start
    assert MARCH.label == "March 2026" and MARCH.key == "2026-03"
    # At 03:30 UTC on 1 April it is still 31 March in New York: March is not complete yet.
    early = datetime(2026, 4, 1, 3, 30, tzinfo=UTC)
    assert Window.last_complete(Period.MONTH, early, NY).label == "February 2026"
    assert Window.last_complete(Period.MONTH, MARCH.end, NY) == MARCH
    assert Window.containing(Period.MONTH, early, NY) == MARCH
    berlin = ZoneInfo("Europe/Berlin")
    q1 = Window.last_complete(Period.QUARTER, datetime(2026, 4, 2, tzinfo=UTC), berlin)
    assert (q1.label, q1.key) == ("Q1 2026", "2026Q1")
    assert q1.start == datetime(2025, 12, 31, 23, tzinfo=UTC)  # CET
    assert q1.end == datetime(2026, 3, 31, 22, tzinfo=UTC)  # CEST after 29 March
    assert q1.previous().label == "Q4 2025" and q1.previous().previous().label == "Q3 2025"
    january = Window(Period.MONTH, 2026, 1, berlin)
    assert january.previous().label == "December 2025"
    assert [w.short_label for w in january.back(3)] == ["Nov 25", "Dec 25", "Jan 26"]
    assert datetime(2026, 1, 15, tzinfo=UTC) in january


def values(figures: FigureSet) -> dict[str, tuple[str, str, str]]:
    """key -> (shown value, arrow, shown previous value)."""
    from bot.figures.render import value_text

    return {f.key: (f.text, f.arrow, value_text(f.definition, f.previous)) for f in figures.figures}


async def test_every_figure_of_march_against_february(
    database: Database, settings: Settings
) -> None:
    figures, _ = await figures_for(database, settings)
    found = values(figures)
    expected = {
        # Members at the end of March: ann ben cat dan eve fay gus (hal left). Active: all but
        # gus (his action is at 00:00 on 1 April, local). February: ann ben cat dan hal of 6
        # (dan's endorsement at 04:59 UTC on 1 March is still 28 February in New York).
        "active_ratio": ("86%", "↑", "83%"),
        "contributor_ratio": ("29%", "↑", "17%"),  # ann, ben of 7; ben of 6 (hal's is March)
        "tier_core": ("14%", "↑", "0%"),  # ann: 5 lessons and 3 of 3 sessions
        "tier_active": ("14%", "↓", "33%"),  # ben; Feb: ann (2 sessions), ben (a lesson)
        "tier_peripheral": ("57%", "↑", "50%"),  # cat dan eve fay; Feb: cat dan hal
        "tier_inactive": ("14%", "↓", "17%"),  # gus; Feb: eve
        # Sessions 5 Mar (3 of 6 members), 20 Mar (3 of 6), 31 Mar local (2 of 7): 42.9%.
        # Feb: 10 Feb (3 of 6), 28 Feb local (2 of 6): 41.7%. The skipped one never counts.
        "attendance_rate": ("43%", "↑", "42%"),
        "sessions_held": ("3", "↑", "2"),
        "rsvp_show_rate": ("80%", "", "no RSVPs in February 2026"),  # 4 of 5 "going" came
        # Apr 2025-Mar 2026: ann 8 sessions of 6 attendees; Mar 2025-Feb 2026: ann 5 of 4.
        "repeat_attendance": ("17%", "↓", "25%"),
        "new_attendee_share": ("25%", "↑", "20%"),  # dan, fay of 8; hal of 5
        "department_reach": ("100%", "↑", "67%"),  # A B C D of 4; A B of A B C
        "largest_department": ("40%", "↓", "50%"),  # A: 2 of 5; A (tie with B): 2 of 4
        "joins": ("2", "↑", "0"),
        "leaves": ("1", "↑", "0"),
        "net_growth": ("+1", "↑", "+0"),
        # fay acted on 18 March, gus on 1 April: both within 30 days of joining.
        "activation": ("100%", "", "nobody joined in February 2026"),
        # ann's (2 h), cat's (answered after 9 days), eve's (only her own answer); ann's of
        # 1 March 04:00 UTC is February's (6 h); the other community's never counts.
        "questions_asked": ("3", "↑", "1"),
        "answer_rate": ("33%", "↓", "100%"),  # 1 of 3 within 7 days; 1 of 1
        "time_to_first_answer": ("109.0 h", "↑", "6.0 h"),  # median of 2 h and 216 h; 6 h
        "lessons_captured": ("2", "↑", "1"),  # the deleted one and the other community's: no
        "lesson_reuse_rate": ("50%", "↑", "0%"),  # spark reused on 15 March; airflow never
        # spark, airflow, dbt, kafka with SMEs for spark, kafka; Feb: no kafka yet.
        "expert_coverage": ("50%", "↑", "33%"),
        "value_stories": ("2", "↑", "1"),  # 3 and 25 March (4 March's deleted); 20 February
        "survey_response_rate": ("83%", "↑", "75%"),  # 5 of 6; 3 of 4
        # 10 9 8 6 10: 3 promoters, 1 detractor of 5 = +40. February had 3 answers: hidden.
        "nps": ("+40", "", "hidden: 3 answers, shown from 5"),
        # Q1 2026: items 4 and 5 averaged 4.5 = 87.5; Feb shows Q4 2025: 3 = 50.
        "leader_health_index": ("88/100", "↑", "50/100"),
    }  # fmt: skip
    assert found == expected
    assert [f.key for f in figures] == [d.key for d in FIGURES]
    assert figures["department_reach"].current.detail == "4 of 4 departments"
    assert figures["largest_department"].current.detail == "A, 2 of 5 attendees"
    assert figures["largest_department"].previous.detail == "A, 2 of 4 attendees"
    assert figures["nps"].current.n == 5 and figures["nps"].previous.n == 3
    assert figures["leader_health_index"].current.detail == "Q1 2026, 2 leaders"
    assert figures["attendance_rate"].value == pytest.approx((0.5 + 0.5 + 2 / 7) / 3)
    assert figures["attendance_rate"].previous_value == pytest.approx((0.5 + 2 / 6) / 2)
    line = figures["active_ratio"].line
    assert line == "Active members: *86%* (6 of 7 members) ↑ from 83% in February 2026"


async def test_other_community_sees_none_of_it(database: Database, settings: Settings) -> None:
    _, other = await figures_for(database, settings)
    found = values(other)
    assert found["contributor_ratio"] == ("50%", "↑", "0%")  # ben's lesson there
    assert found["lessons_captured"] == ("1", "↑", "0")
    assert found["survey_response_rate"][0] == "50%"
    assert found["nps"][0] == "hidden: 1 answer, shown from 5"
    assert found["sessions_held"][0] == "1"
    assert found["questions_asked"][0] == "1" and found["answer_rate"][0] == "100%"
    assert found["time_to_first_answer"][0] == "0.5 h"
    assert found["value_stories"][0] == "1"
    # eve, no member there, came: invitees are members at the start and whoever came.
    assert found["attendance_rate"][0] == "33%"
    assert found["department_reach"][0] == "0%"  # ann and ben's A; eve has no department
    assert found["largest_department"][0] == "attendees' departments unknown"
    assert found["repeat_attendance"][0] == "0%"
    assert found["leader_health_index"][0].startswith("no health check answered")
    # It uses cobol only (no SME); its airflow SME covers a topic it does not use.
    assert found["expert_coverage"][0] == "0%"


async def test_anonymity_threshold_is_the_deployments(database: Database) -> None:
    lower = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", COPBOT_ANONYMITY_THRESHOLD="3")
    figures, _ = await figures_for(database, lower)
    assert figures["nps"].previous_value == 0  # 9 7 3: one promoter, one detractor
    assert figures["nps"].arrow == "↑"
    higher = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", COPBOT_ANONYMITY_THRESHOLD="6")
    async with database.session() as session:
        from storage import communities

        ops = await communities.find_community(session, "ops")
        assert ops is not None
        hidden = await compute_figures(session, ops, MARCH, settings=higher, now=NOW)
    assert hidden["nps"].value is None and hidden["nps"].text == "hidden: 5 answers, shown from 6"


async def test_quarter_and_trend_series(database: Database, settings: Settings) -> None:
    q1 = Window(Period.QUARTER, 2026, 1, NY)
    figures, _ = await figures_for(database, settings, q1)
    assert (figures["sessions_held"].value, figures["sessions_held"].previous_value) == (5, 1)
    assert figures["leader_health_index"].text == "88/100"
    assert figures["leader_health_index"].previous.detail == "Q4 2025, 1 leader"
    async with database.session() as session:
        from storage import communities

        ops = await communities.find_community(session, "ops")
        assert ops is not None
        series = await trend_series(
            session, ops, MARCH, 4, settings=settings, now=NOW,
            keys=frozenset({"sessions_held", "active_ratio"}),
        )  # fmt: skip
    assert [w.label for w, _ in series] == [
        "December 2025", "January 2026", "February 2026", "March 2026",
    ]  # fmt: skip
    assert [m["sessions_held"].value for _, m in series] == [1, 0, 2, 3]
    assert all(set(m) == {"sessions_held", "active_ratio"} for _, m in series)


async def test_leaders_only_figures_can_be_left_out(database: Database, settings: Settings) -> None:
    async with database.session() as session:
        ops, _other, _ = await build(session)
        figures = await compute_figures(
            session, ops, MARCH, settings=settings, now=NOW, include_leaders_only=False
        )
    assert figures.get("leader_health_index") is None
    assert figures.get("nps") is not None


async def test_window_in_progress_counts_only_sessions_held(
    database: Database, settings: Settings
) -> None:
    # On 10 March, the March sessions still to come are not missed sessions.
    async with database.session() as session:
        ops, _other, _ = await build(session)
        at = datetime(2026, 3, 10, 12, tzinfo=UTC)
        current = Window.containing(Period.MONTH, at, NY)
        figures = await compute_figures(session, ops, current, settings=settings, now=at)
    assert figures["sessions_held"].value == 1
    assert figures["attendance_rate"].text == "50%"
