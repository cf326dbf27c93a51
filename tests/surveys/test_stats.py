"""Survey arithmetic and answer parsing on known data."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.surveys.core import PULSE, Question, parse_question_lines
from bot.surveys.files import aggregates_csv, chart_png
from bot.surveys.stats import nps, response_rate, stats_for, summary_line


def test_nps_and_response_rate_on_known_data() -> None:
    # 3 promoters (9, 10, 9), 2 passives (7, 8), 5 detractors (0-6): (3 - 5) / 10 = -20.
    assert nps([9, 10, 9, 7, 8, 0, 3, 6, 6, 5]) == pytest.approx(-20.0)
    assert nps([10, 9]) == 100.0
    assert nps([]) is None
    assert response_rate(3, 12) == pytest.approx(25.0)
    assert response_rate(0, 0) is None


def test_agreement_mean_favourable_and_na() -> None:
    question = Question("a5", "Relevant?")
    stats = stats_for(question, ["5", "4", "4", "2", "na", "3"])
    assert stats.n == 6 and stats.not_applicable == 1
    assert stats.mean == pytest.approx(18 / 5)
    assert stats.favourable == pytest.approx(60.0)  # 3 of 5 non-N/A are 4-5
    assert dict(stats.distribution)["Agree"] == 2
    line = summary_line(stats)
    assert "mean 3.6" in line and "60% favourable" in line and "1 N/A" in line


def test_other_kinds() -> None:
    ypn = stats_for(Question("ypn", "Used?"), ["yes", "no", "partly", "yes"])
    assert dict(ypn.distribution) == {"Yes": 2, "Partly": 1, "No": 1}
    choice = stats_for(Question("choice", "Format?", ("Talk", "Demo")), ["Demo", "Demo"])
    assert dict(choice.distribution) == {"Talk": 0, "Demo": 2}
    recommend = stats_for(Question("nps", "Recommend?"), ["10", "6"])
    assert recommend.nps == 0.0 and recommend.mean == 8.0
    text = stats_for(Question("text", "More of?"), ["b idea", "A idea"])
    assert text.texts == ("A idea", "b idea")  # sorted, not in answer order


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("a5", "4", "4"),
        ("a5", "N/A", "na"),
        ("a5", "strongly agree", "5"),
        ("nps", "0", "0"),
        ("nps", "10", "10"),
        ("ypn", "Partly", "partly"),
        ("ypn", "y", "yes"),
        ("text", "  more demos ", "more demos"),
    ],
)
def test_parse_valid(kind: str, raw: str, expected: str) -> None:
    assert Question(kind, "q").parse(raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("a5", "6"), ("a5", "0"), ("nps", "11"), ("nps", "-1"), ("ypn", "maybe"), ("text", "")],
)
def test_parse_invalid(kind: str, raw: str) -> None:
    with pytest.raises(UserError):
        Question(kind, "q").parse(raw)


def test_choice_parse_by_label_or_number() -> None:
    question = Question("choice", "Format?", ("Talk", "Workshop"))
    assert question.parse("workshop") == "Workshop"
    assert question.parse("1") == "Talk"
    with pytest.raises(UserError, match="Pick one of"):
        question.parse("3")


def test_question_lines() -> None:
    found = parse_question_lines(
        "a5: Useful?\nnps: Recommend?\nchoice: Format? | Talk | Demo\nypn: Used it?\n"
        "text: Ideas? (optional)"
    )
    assert [q.kind for q in found] == ["a5", "nps", "choice", "ypn", "text"]
    assert found[2].options == ("Talk", "Demo")
    assert found[4].required is False and found[4].text == "Ideas?"
    with pytest.raises(UserError) as bad:
        parse_question_lines("a5: fine\nHow are you?")
    assert "questions" in bad.value.fields
    with pytest.raises(UserError):
        parse_question_lines("choice: Only one | A")


def test_pulse_template_matches_domain() -> None:
    assert len(PULSE) == 9
    assert PULSE[0].kind == "nps" and PULSE[6].kind == "ypn" and PULSE[8].kind == "text"


def test_chart_and_csv() -> None:
    stats = [
        stats_for(Question("a5", "Relevant?"), ["4", "5", "na"]),
        stats_for(Question("text", "Ideas?"), ["secret idea"]),
    ]
    png = chart_png("Pulse", stats)
    assert png is not None and png.startswith(b"\x89PNG")
    csv = aggregates_csv(stats, 3, 10).decode()
    assert "Strongly agree,1" in csv and "secret idea" not in csv
