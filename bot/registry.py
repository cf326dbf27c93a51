"""Where capabilities plug in: commands, form handlers, due jobs, App Home sections, demo data.

Each module under `bot/commands/` registers its pieces with the decorators below when it is
imported; `bot.commands.load_all()` imports them all. Nothing else needs editing to add one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import Context, JobContext
    from bot.form_limits import FieldLimit
    from bot.messages import Attachment, Reply

HandlerResult = "Reply | list[Reply] | None"
CommandHandler = Callable[["Context", str], Awaitable[Any]]
FormHandler = Callable[["Context", Mapping[str, str]], Awaitable[Any]]
DueJob = Callable[["JobContext"], Awaitable[None]]
HomeSection = Callable[["Context"], Awaitable["list[Reply]"]]
DemoSeeder = Callable[["JobContext", dict[str, Any]], Awaitable[None]]
Download = Callable[["JobContext", str], Awaitable["Attachment | None"]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    verb: str  # one or two words: "join", "lesson show"
    handler: CommandHandler
    usage: str  # "lesson show <id>"
    summary: str  # one line for `help`
    group: str  # heading in `help`
    details: str = ""  # extra lines for `help <verb>`
    examples: tuple[str, ...] = ()
    hidden: bool = False  # reachable (buttons), but not listed in help


@dataclass(slots=True)
class Registry:
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    forms: dict[str, FormHandler] = field(default_factory=dict)
    form_limits: dict[str, Mapping[str, FieldLimit]] = field(default_factory=dict)
    due_jobs: dict[str, DueJob] = field(default_factory=dict)
    home_sections: list[tuple[int, HomeSection]] = field(default_factory=list)
    demo_seeders: list[tuple[int, DemoSeeder]] = field(default_factory=list)
    downloads: dict[str, Download] = field(default_factory=dict)


REGISTRY = Registry()


def command(
    verb: str,
    *,
    usage: str,
    summary: str,
    group: str,
    details: str = "",
    examples: tuple[str, ...] = (),
    hidden: bool = False,
) -> Callable[[CommandHandler], CommandHandler]:
    """Register `async def handler(ctx, args) -> Reply | list[Reply]` for a verb."""

    def wrap(handler: CommandHandler) -> CommandHandler:
        key = " ".join(verb.lower().split())
        if key in REGISTRY.commands:
            raise ValueError(f"command {key!r} registered twice")
        REGISTRY.commands[key] = CommandSpec(
            key, handler, usage, summary, group, details, examples, hidden
        )
        return handler

    return wrap


def form(
    form_id: str, *, limits: Mapping[str, FieldLimit] | None = None
) -> Callable[[FormHandler], FormHandler]:
    """Register `async def handler(ctx, values) -> Reply` for submissions of a form.

    `limits` (see `bot.form_limits.limits_of`) are checked before the handler runs.
    """

    def wrap(handler: FormHandler) -> FormHandler:
        if form_id in REGISTRY.forms:
            raise ValueError(f"form {form_id!r} registered twice")
        REGISTRY.forms[form_id] = handler
        REGISTRY.form_limits[form_id] = dict(limits or {})
        return handler

    return wrap


def due_job(name: str) -> Callable[[DueJob], DueJob]:
    """Register `async def job(jctx)`, run on every heartbeat: it asks storage what is due."""

    def wrap(job: DueJob) -> DueJob:
        if name in REGISTRY.due_jobs:
            raise ValueError(f"due job {name!r} registered twice")
        REGISTRY.due_jobs[name] = job
        return job

    return wrap


def home_section(order: int) -> Callable[[HomeSection], HomeSection]:
    """Register a section of a member's home view (Slack App Home, `home` command)."""

    def wrap(section: HomeSection) -> HomeSection:
        REGISTRY.home_sections.append((order, section))
        REGISTRY.home_sections.sort(key=lambda pair: pair[0])
        return section

    return wrap


def demo_seeder(order: int) -> Callable[[DemoSeeder], DemoSeeder]:
    """Register demo data; seeders run in `order` and share a dict of what earlier ones made."""

    def wrap(seeder: DemoSeeder) -> DemoSeeder:
        REGISTRY.demo_seeders.append((order, seeder))
        REGISTRY.demo_seeders.sort(key=lambda pair: pair[0])
        return seeder

    return wrap


def download(kind: str) -> Callable[[Download], Download]:
    """Register `async def make(jctx, arg) -> Attachment | None` behind signed links.

    `bot.downloads.link(settings, kind, arg, now=...)` makes the URL to put in a reply.
    """

    def wrap(producer: Download) -> Download:
        if kind in REGISTRY.downloads:
            raise ValueError(f"download {kind!r} registered twice")
        REGISTRY.downloads[kind] = producer
        return producer

    return wrap
