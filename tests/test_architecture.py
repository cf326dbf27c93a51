"""The dependency rule: the core and storage import no chat SDK, and no adapter."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "slack", "botbuilder", "botframework")
# The composition root and the command-line entry point wire adapters in; nothing else may.
MAY_IMPORT_ADAPTERS = {ROOT / "bot" / "app.py", ROOT / "bot" / "cli.py"}
SQL_BUILDERS = ("select", "update", "insert", "delete", "text")


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def core_files() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "storage").rglob("*.py")])


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
