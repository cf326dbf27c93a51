"""Property tests through the real router: any command text and any form values get a friendly
answer (never the apology, never a logged error), text comes back encodable, and a form refused
for a value over its limit names that field and its limit and changes nothing stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.app import build_registry
from bot.clean_text import REPLACEMENT, clean_text
from bot.form_limits import DEFAULT_MOST
from bot.messages import Command, ConversationRef, Form, Platform, User
from storage.tables import Member
from tests.helpers import Chat, text_of, tracebacks
from tests.snapshot import changed, snapshot

REGISTRY = build_registry()  # the verbs of this build, for parametrising
VERBS = sorted(REGISTRY.commands)
APOLOGY = "something went wrong on my side"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NASTY = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b[2J", "\u202e", "\x1f", "\uffff", "\n"])
TEXT = st.lists(
    st.one_of(st.text(st.characters(blacklist_categories=()), max_size=6), NASTY), max_size=8
).map("".join)
WORDS = st.sampled_from(["data-eng", "1", "0", "-1", "in data-eng", "@ada", "confirm", "99999999"])


@FUZZ
@given(
    verb=st.sampled_from(VERBS),
    rest=st.lists(st.one_of(WORDS, TEXT), max_size=4).map(" ".join),
    who=st.sampled_from(["lead", "ada", "root", "newcomer"]),
)
async def test_any_command_text_is_answered(
    chat: Chat, community: str, errors: pytest.LogCaptureFixture, verb: str, rest: str, who: str
) -> None:
    errors.clear()
    replies = await chat(f"{verb} {rest}", as_=who)
    text = text_of(replies)
    assert replies and APOLOGY not in text, (verb, rest, text)
    text.encode("utf-8")  # no lone surrogate comes back out to a platform
    assert not tracebacks(errors), (verb, rest, tracebacks(errors))


async def test_nul_and_a_lone_surrogate_in_a_name_are_stored_replaced(chat: Chat) -> None:
    user = User(Platform.CONSOLE, "odd\x00one", name="Zoë\x00 \ud83d")
    conversation = ConversationRef(Platform.CONSOLE, "dm:odd", is_direct=True)
    replies = await chat.core.router.handle(Command(user, conversation, "profile\x00"))
    assert APOLOGY not in text_of(replies)
    async with chat.core.services.db.session() as session:
        member = (await session.exec(select(Member))).one()
    assert member.display_name == f"Zoë{REPLACEMENT} {REPLACEMENT}"


async def _forms(chat: Chat) -> list[tuple[str, Form]]:
    """(who fills it in, the form) for every form a person can open."""
    saved = await chat.submit(
        "lesson.new:data-eng",
        {"title": "Queues", "kind": "insight", "event_date": "2026-02-17", "statement": "Do."},
        as_="ada",
    )
    number = text_of(saved).split("Saved lesson ")[1].split(" ")[0]
    opened = [
        ("ada", "lesson new in data-eng"),
        ("ada", f"lesson edit {number}"),
        ("lead", "survey new in data-eng"),
        ("lead", "meeting new in data-eng"),
        ("lead", "health check in data-eng"),
        ("root", "community new"),
        ("lead", "charter edit in data-eng"),
    ]
    found = []
    for who, command in opened:
        replies = await chat(command, as_=who)
        form = next((r.form for r in replies if r.form is not None), None)
        assert form is not None, (command, text_of(replies))
        found.append((who, form))
    return found


@FUZZ
@given(data=st.data())
async def test_form_values_over_a_limit_are_refused_by_name_and_change_nothing(
    chat: Chat, community: str, errors: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    forms = getattr(chat, "fuzz_forms", None) or await _forms(chat)
    chat.fuzz_forms = forms  # type: ignore[attr-defined]
    errors.clear()
    who, form = data.draw(st.sampled_from(forms))
    values: dict[str, str] = {}
    for field in form.fields:
        typed = data.draw(
            st.one_of(st.sampled_from([v for _l, v in field.options] or [""]), TEXT, WORDS)
        )
        most = field.max_length or DEFAULT_MOST
        padding = data.draw(st.sampled_from([0, 0, 0, most - len(typed), most + 1]))
        values[field.name] = typed + "y" * max(padding, 0)
    over = {
        f.name: f
        for f in form.fields
        if len(clean_text(values[f.name]).strip()) > (f.max_length or DEFAULT_MOST)
    }
    before = await snapshot(chat.core.services.db)
    replies = await chat.submit(form.form_id, values, as_=who)
    text = text_of(replies)
    assert APOLOGY not in text, (form.form_id, values)
    assert not tracebacks(errors), (form.form_id, tracebacks(errors))
    if over:
        errors_by_field = dict(next(r.errors for r in replies if r.errors))
        for name, field in over.items():
            assert f"At most {field.max_length or DEFAULT_MOST:,}" in errors_by_field[name]
            assert field.label in text
        assert not changed(before, await snapshot(chat.core.services.db))
