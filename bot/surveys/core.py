"""Survey questions: the five kinds, parsing a person's answer, the §1.5 B pulse template.

Kinds: `a5` agreement 1-5 with N/A, `nps` 0-10 recommend, `choice` single choice, `ypn`
yes/partly/no, `text` free text. Answers are stored as canonical text ("4", "na", "yes", a
choice's label, free text).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.errors import UserError
from bot.messages import Choice, FormField

KINDS = ("a5", "nps", "choice", "ypn", "text")
A5_LABELS = {
    "1": "Strongly disagree",
    "2": "Disagree",
    "3": "Neither",
    "4": "Agree",
    "5": "Strongly agree",
    "na": "N/A / don't know",
}
YPN_LABELS = {"yes": "Yes", "partly": "Partly", "no": "No"}
_NA_WORDS = {"na", "n/a", "n.a.", "dont know", "don't know", "dk", "-"}
TEXT_LIMIT = 2000
KIND_HELP = (
    "One question a line, starting with its kind: `a5:` agreement 1-5 (with N/A), "
    "`nps:` 0-10 recommend, `choice: question | option | option`, `ypn:` yes/partly/no, "
    "`text:` free text. Add `(optional)` at the end of a line if it may be skipped."
)


@dataclass(frozen=True, slots=True)
class Question:
    kind: str
    text: str
    options: tuple[str, ...] = ()
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "options": list(self.options),
            "required": self.required,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(
            data["kind"], data["text"], tuple(data.get("options", ())), data.get("required", True)
        )

    def labels(self) -> dict[str, str]:
        """Canonical value -> label, in display order (empty for free text)."""
        if self.kind == "a5":
            return dict(A5_LABELS)
        if self.kind == "nps":
            return {str(n): str(n) for n in range(11)}
        if self.kind == "ypn":
            return dict(YPN_LABELS)
        if self.kind == "choice":
            return {o: o for o in self.options}
        return {}

    def parse(self, raw: str) -> str:
        """The canonical value of a typed or clicked answer, or a UserError saying what fits."""
        text = " ".join(raw.split())
        lowered = text.lower()
        if self.kind == "text":
            answer = raw.strip()  # stored as typed, so its length is what must fit
            if len(answer) > TEXT_LIMIT:
                raise UserError(f"At most {TEXT_LIMIT:,} characters (now {len(answer):,}).")
            if not text:
                raise UserError("Type an answer.")
            return answer
        if self.kind == "a5":
            if lowered in _NA_WORDS:
                return "na"
            if lowered in {"1", "2", "3", "4", "5"}:
                return lowered
            for value, label in A5_LABELS.items():
                if lowered == label.lower():
                    return value
            raise UserError("Answer 1 (strongly disagree) to 5 (strongly agree), or `na`.")
        if self.kind == "nps":
            if lowered.isdecimal() and 0 <= int(lowered) <= 10:
                return str(int(lowered))
            raise UserError("Answer with a number from 0 (not at all likely) to 10 (extremely).")
        if self.kind == "ypn":
            words = {"y": "yes", "yes": "yes", "partly": "partly", "partially": "partly"}
            words |= {"n": "no", "no": "no", "some": "partly"}
            if lowered in words:
                return words[lowered]
            raise UserError("Answer `yes`, `partly` or `no`.")
        for option in self.options:
            if lowered == option.lower():
                return option
        # "2" may pick the second option, unless options are numbers themselves (the pulse's
        # "0" hours): then "2" meaning the option "1-4 h" would surprise whoever typed it.
        numeric = any(o.strip().isdecimal() for o in self.options)
        if not numeric and lowered.isdecimal() and 1 <= int(lowered) <= len(self.options):
            return self.options[int(lowered) - 1]
        listed = ", ".join(f"`{o}`" for o in self.options)
        raise UserError(f"Pick one of: {listed}.")

    def form_field(self, name: str, initial: str | None) -> FormField:
        hint = None if self.required else "Optional"
        if self.kind == "text":
            return FormField(
                name,
                self.text[:150],
                "multiline",
                required=self.required,
                initial=initial,
                max_length=TEXT_LIMIT,
                hint=hint,
            )
        options = tuple((label, value) for value, label in self.labels().items())
        return FormField(
            name,
            self.text[:150],
            "choice",
            required=self.required,
            options=options,
            initial=initial,
            hint=hint,
        )

    def one_click(self, survey_id: int) -> tuple[Choice, ...]:
        """Buttons for a single-question survey (free text has none: type the answer)."""
        return tuple(
            Choice(
                label if self.kind != "a5" else f"{value} {label}" if value != "na" else "N/A",
                f"survey answer {survey_id} {value}",
            )
            for value, label in self.labels().items()
        )


def parse_question_lines(text: str) -> list[Question]:
    """The form's question box: one question a line, `kind: text` (see KIND_HELP)."""
    found: list[Question] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, sep, rest = line.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in KINDS:
            raise UserError(
                f"Line {number} needs a kind in front, e.g. `a5: The sessions are useful`. "
                + KIND_HELP,
                fields={
                    "questions": f"Line {number}: start with a5:, nps:, choice:, ypn: or text:"
                },
            )
        required = True
        rest = rest.strip()
        if rest.lower().endswith("(optional)"):
            required = False
            rest = rest[: -len("(optional)")].strip()
        options: tuple[str, ...] = ()
        if kind == "choice":
            parts = [p.strip() for p in rest.split("|")]
            # 75 characters: the longest option label Slack's menus accept.
            rest, options = parts[0], tuple(dict.fromkeys(p[:75] for p in parts[1:] if p))
            if len(options) < 2:
                raise UserError(
                    f"Line {number}: a choice question needs at least two options, "
                    "e.g. `choice: Which format? | Talk | Workshop`.",
                    fields={"questions": f"Line {number}: give two or more options after |."},
                )
        if not rest or len(rest) > 300:
            raise UserError(
                f"Line {number}: write the question (up to 300 characters).",
                fields={"questions": f"Line {number}: the question is missing or too long."},
            )
        found.append(Question(kind, rest, options, required))
    if not found:
        raise UserError(
            "Add at least one question. " + KIND_HELP, fields={"questions": "Required."}
        )
    if len(found) > 20:
        raise UserError("Keep it to 20 questions or fewer.", fields={"questions": "Too many."})
    return found


PULSE_TITLE = "Quarterly member pulse"
# DOMAIN.md §1.5 B, M1-M9; M6 uses the A5 scale (allowed there) so it is comparable.
PULSE = (
    Question("nps", "How likely are you to recommend this community to a colleague?"),
    Question(
        "a5", "Taking part in the community over the last 3 months was a good use of my time."
    ),
    Question("a5", "The topics and sessions are relevant to my current work."),
    Question("a5", "I gained knowledge, ideas or contacts I expect to use."),
    Question("a5", "When I needed help, I found the right person or answer quickly."),
    Question("a5", "I feel I belong in this community."),
    Question("ypn", "In the last 3 months I used something from the community in my work."),
    Question(
        "choice",
        "If yes: roughly how much time did it save you (or your team) this quarter?",
        ("0", "<1 h", "1-4 h", "5-16 h", ">16 h", "can't say"),
        required=False,
    ),
    Question("text", "What should the community do more of, or less of?", required=False),
)


def questions_of(raw: list[dict[str, Any]]) -> list[Question]:
    return [Question.from_dict(q) for q in raw]


def respondent_token(settings: Settings, survey_id: int, member_id: int) -> str:
    """An opaque, stable key per (survey, member): lets a member change an answer while the
    stored answers cannot be tied to anyone without the server secret."""
    message = f"survey\n{survey_id}\n{member_id}".encode()
    return hmac.new(settings.signing_key, message, hashlib.sha256).hexdigest()[:40]


def min_answers(settings: Settings) -> int:
    """Anonymous results stay hidden below this many respondents (configurable, never < 3)."""
    return max(3, settings.anonymity_threshold)
