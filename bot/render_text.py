"""Plain-text rendering of a reply: the local chat, logs and any client where cards fail."""

from __future__ import annotations

from bot.messages import Reply


def render(reply: Reply, *, numbered_choices: bool = True, first_number: int = 1) -> str:
    """The reply as lines of text. Choices are numbered from `first_number`, so several replies
    shown together can number their buttons without repeating a number."""
    lines: list[str] = []
    if reply.title:
        lines.append(f"== {reply.title} ==")
    if reply.text:
        lines.append(reply.text)
    for label, value in reply.fields:
        if "\n" in value:
            lines.append(f"{label}:")
            lines.extend(f"  {part}" for part in value.splitlines())
        else:
            lines.append(f"{label}: {value}")
    for field, message in reply.errors:
        lines.append(f"! {field}: {message}")
    if reply.image is not None:
        lines.append(f"[picture: {reply.image.alt}]")
    if reply.form is not None:
        lines.append(f"[form: {reply.form.title}, {len(reply.form.fields)} fields]")
    for number, choice in enumerate(reply.choices, start=first_number):
        prefix = f"[{number}] " if numbered_choices else "- "
        if choice.url:
            lines.append(f"{prefix}{choice.label}: {choice.url}")
        else:
            lines.append(f"{prefix}{choice.label}  (or type: {choice.command})")
    if reply.context:
        lines.append(f"({reply.context})")
    return "\n".join(lines)
