"""Help text generated from the command registry."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.messages import Choice, Reply
from bot.registry import CommandSpec, Registry


def visible(registry: Registry) -> list[CommandSpec]:
    return [spec for spec in registry.commands.values() if not spec.hidden]


def overview(registry: Registry) -> Reply:
    groups: dict[str, list[CommandSpec]] = {}
    for spec in visible(registry):
        groups.setdefault(spec.group, []).append(spec)
    lines = []
    for group in sorted(groups):
        lines.append(f"*{group}*")
        lines.extend(f"`{spec.usage}` — {spec.summary}" for spec in groups[group])
        lines.append("")
    lines.append("Type `help <command>` for details, e.g. `help join`.")
    return Reply(
        "\n".join(lines).strip(),
        title="What I can do",
        choices=(Choice("Communities", "communities"), Choice("My home", "home")),
    )


def for_verb(registry: Registry, topic: str) -> Reply:
    topic = " ".join(topic.lower().split())
    first = topic.split(" ", 1)[0]
    specs = [s for s in visible(registry) if s.verb == topic or s.verb.split(" ")[0] == first]
    if not specs:
        return unknown(registry, topic)
    lines: list[str] = []
    for spec in specs:
        lines.append(f"`{spec.usage}` — {spec.summary}")
        if spec.details:
            lines.append(spec.details)
        lines.extend(f"   e.g. `{example}`" for example in spec.examples)
    return Reply("\n".join(lines), title=f"Help: {first}")


def unknown(registry: Registry, line: str) -> Reply:
    word = line.split()[0][:40] if line.split() else line
    family = sorted(
        spec.verb
        for spec in visible(registry)
        if " " in spec.verb and spec.verb.split(" ")[0] == word.lower()
    )
    if family:
        return _unknown_in_family(registry, line, word, family)
    verbs = sorted({spec.verb.split(" ")[0] for spec in visible(registry)})
    found = process.extract(word.lower(), verbs, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    # WRatio also scores a typed word found inside a longer verb ("jion" in "question"); a
    # whole-word typo ("jion" for "join") is the likelier meaning, so it comes first.
    close = sorted(
        (match for match, _score, _ in found), key=lambda v: -fuzz.ratio(word.lower(), v)
    )
    lines = [f"I don't know `{word}`."]
    if close:
        lines[0] += " Did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    lines.append("Commands: " + ", ".join(f"`{v}`" for v in verbs))
    lines.append("Type `help` for what each does.")
    return Reply(
        "\n".join(lines), choices=tuple(Choice(f"help {c}", f"help {c}") for c in close[:3])
    )


def _unknown_in_family(registry: Registry, line: str, word: str, family: list[str]) -> Reply:
    """`meeting attendance 1`: the first word starts several verbs, the second fits none."""
    second = line.split()[1][:40].lower() if len(line.split()) > 1 else ""
    # The second word against the family's second words and against one-word verbs, so
    # `meeting shwo` finds `meeting show` and `meeting attendance` finds `attendance`.
    candidates = {verb.split(" ", 1)[1]: verb for verb in family}
    for spec in visible(registry):
        if " " not in spec.verb:
            candidates.setdefault(spec.verb, spec.verb)
    close = [
        candidates[match]
        for match, _score, _ in process.extract(
            second, list(candidates), scorer=fuzz.WRatio, limit=3, score_cutoff=75
        )
    ]
    heard = f"`{word} {second}`" if second else f"`{word}` alone"
    lines = [f"I don't know {heard}."]
    if close:
        lines[0] += " Did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    lines.append(f"`{word}` goes with: " + ", ".join(f"`{v}`" for v in family) + ".")
    lines.append(f"Type `help {word}` for what each does.")
    shown = close or family
    return Reply(
        "\n".join(lines), choices=tuple(Choice(f"help {v}", f"help {v}") for v in shown[:3])
    )
