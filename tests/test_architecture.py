"""The dependency rules: who may import whom, and how big a module may grow.

- No chat SDK outside `adapters/` (the core, storage and the benchmarks are platform-free).
- Only the composition root (`bot/app.py`, `bot/cli.py`) imports adapters; adapters type
  against `bot.core_api.CoreAPI`, never `bot.app`.
- Top-level `bot/` modules are shared machinery: they import no capability package.
- A capability package imports another only through `CAPABILITY_IMPORTS` below.
- No module in `bot/` is longer than `MAX_LINES`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "slack", "botbuilder", "botframework", "msrest")
# The composition root and the command-line entry point wire adapters in; nothing else may.
MAY_IMPORT_ADAPTERS = {ROOT / "bot" / "app.py", ROOT / "bot" / "cli.py"}
SQL_BUILDERS = ("select", "update", "insert", "delete", "text")
# The composition root names the capability packages it builds the registry from.
COMPOSITION_ROOT = MAY_IMPORT_ADAPTERS
MAX_LINES = 600

# Reviewed: (importing capability, imported module) -> why. Keep it short; anything else a
# capability needs of another belongs in shared machinery at the top of `bot/`.
CAPABILITY_IMPORTS: dict[tuple[str, str], str] = {
    ("experts", "bot.lessons.access"): "an answer cites lessons; who may read one is lessons'",
    ("lessons", "bot.experts.lookup"): "lessons are filed under the experts' topic vocabulary",
    ("health", "bot.surveys.core"): "a health check is asked with the survey question model",
    ("meetings", "bot.surveys.core"): "a meeting's pulse keeps the surveys' anonymity minimum",
    ("digests", "bot.figures.core"): "the digest's scorecard, headlines and reach are the figures",
    ("digests", "bot.figures.window"): "a digest covers the figures' complete month or quarter",
    ("digests", "bot.figures.files"): "the digest's image is the figures' trend chart and link",
    ("digests", "bot.figures.render"): "headlines show values as `stats` does",
    ("digests", "bot.health.core"): "stage, RAG and the proposed direction are the health check's",
    ("digests", "bot.health.lookup"): "the header and asks come from the latest health check",
    ("digests", "bot.communities.goals"): "objectives read as `charter goals` shows them",
    ("figures", "bot.health.core"): "the Leader Health Index is the health check's own formula",
    ("figures", "bot.surveys.core"): "NPS keeps the surveys' anonymity minimum",
    ("privacy_ops", "bot.communities.commands"): "forgetting a member spares the last leader",
    ("privacy_ops", "bot.experts.lookup"): "a member's export names their question tokens",
    ("questions", "bot.experts.lookup"): "a question goes to the experts' ranking of its topic",
    (
        "dashboard",
        "bot.health.core",
    ): "the dashboard labels quarters, RAG and stages as `health` does",
    (
        "dashboard",
        "bot.health.lookup",
    ): "the dashboard's health trend is `health`'s quarter figures",
    (
        "dashboard",
        "bot.lessons.access",
    ): "the dashboard lists lessons only to whom lessons lets read",
    (
        "dashboard",
        "bot.meetings.core",
    ): "the dashboard's meeting times and .ics links are meetings'",
    (
        "dashboard",
        "bot.surveys.access",
    ): "the dashboard shows a survey only to whom `survey results` does",
    ("dashboard", "bot.surveys.results"): "survey figures only through the surveys' anonymity gate",
    ("dashboard", "bot.surveys.stats"): "the dashboard prints the figures that gate lets through",
    ("nudges", "bot.figures.core"): "N18 reads the active-member ratio as the figures define it",
    ("nudges", "bot.figures.window"): "the figures' quarters, for N18's two quarters",
}
# Reviewed: (top-level module, capability module) -> why.
SHARED_IMPORTS: dict[tuple[str, str], str] = {
    ("bot/privacy.py", "bot.meetings.core"): "a member's pseudonymous pulse answers (token)",
    ("bot/privacy.py", "bot.surveys.core"): "a member's pseudonymous survey answers (token)",
}


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def imported_names(path: Path) -> list[str]:
    """Every module an import may name, `from bot import x` counted as `bot.x` too."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def core_files() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "storage").rglob("*.py")])


def capabilities() -> set[str]:
    """The capability packages: folders of `bot/` with an `__init__.py`."""
    return {path.parent.name for path in (ROOT / "bot").glob("*/__init__.py")}


def capability_imported(name: str) -> str | None:
    """The capability package an imported name belongs to, if any."""
    parts = name.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in capabilities():
        return parts[1]
    return None


def allowed(entries: dict[tuple[str, str], str], owner: str, name: str) -> bool:
    return any(
        key == owner and (name == module or name.startswith(module + "."))
        for key, module in entries
    )


def test_core_and_storage_import_no_platform_sdk() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in core_files()
        for name in imported_modules(path)
        if name.split(".")[0] in PLATFORM_SDKS
    ]
    assert not offenders


def test_only_the_composition_root_imports_adapters() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in core_files()
        if path not in MAY_IMPORT_ADAPTERS
        for name in imported_modules(path)
        if name.split(".")[0] == "adapters"
    ]
    assert not offenders


def test_sql_is_built_only_in_storage() -> None:
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and (node.module.startswith(("sqlalchemy", "sqlmodel")))
            ):
                bad = [a.name for a in node.names if a.name in SQL_BUILDERS]
                if bad:
                    offenders.append(f"{path.relative_to(ROOT)}: {bad}")
    assert not offenders


def test_the_checks_see_files() -> None:
    assert len(core_files()) > 10
    assert "bot.messages" in imported_modules(ROOT / "bot" / "router.py")


def test_no_platform_sdk_outside_adapters() -> None:
    files = [*core_files(), *(ROOT / "bench").rglob("*.py"), *(ROOT / ".ci").glob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0] in PLATFORM_SDKS
    ]
    assert not offenders


def test_adapters_use_the_core_interface_not_the_composition_root() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "adapters").rglob("*.py"))
        for name in imported_modules(path)
        if name == "bot.app" or name.startswith("bot.app.")
    ]
    assert not offenders


def test_shared_machinery_imports_no_capability() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "bot").glob("*.py"))
        if path not in COMPOSITION_ROOT
        for name in imported_names(path)
        if capability_imported(name)
        and not allowed(SHARED_IMPORTS, str(path.relative_to(ROOT)), name)
    ]
    assert not offenders


def test_capabilities_import_each_other_only_as_reviewed() -> None:
    offenders = []
    for capability in sorted(capabilities()):
        for path in sorted((ROOT / "bot" / capability).rglob("*.py")):
            for name in imported_names(path):
                other = capability_imported(name)
                if (
                    other
                    and other != capability
                    and not allowed(CAPABILITY_IMPORTS, capability, name)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders


def test_every_allowance_is_used_and_says_why() -> None:
    used = {
        (capability, module)
        for capability in capabilities()
        for path in (ROOT / "bot" / capability).rglob("*.py")
        for name in imported_names(path)
        for (owner, module) in CAPABILITY_IMPORTS
        if owner == capability and (name == module or name.startswith(module + "."))
    }
    assert set(CAPABILITY_IMPORTS) == used
    assert all(
        reason.strip() for reason in [*CAPABILITY_IMPORTS.values(), *SHARED_IMPORTS.values()]
    )


def test_no_module_in_bot_is_too_long() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long


def test_the_capability_checks_see_packages() -> None:
    assert {"communities", "experts", "lessons", "meetings", "surveys", "health"} <= capabilities()
    assert capability_imported("bot.meetings.core") == "meetings"
    assert "bot.meetings" in imported_names(ROOT / "bot" / "app.py")
