"""Where capabilities plug in: commands, form handlers, due jobs, App Home sections, demo data.

The decorators below only *mark* a function with what it is; nothing is registered when a
module is imported. Each capability package's `register(registry)` hands its modules to
`Registry.install`, which collects the marked functions, and the composition root
(`bot.app.build_registry`) calls `register` for an explicit list of packages. Tests build
their own `Registry` the same way and add to it without touching anyone else's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import Context, JobContext
    from bot.form_limits import FieldLimit
    from bot.messages import Attachment, Reply
    from bot.pages import Section
    from storage.tables import Community

HandlerResult = "Reply | list[Reply] | None"
CommandHandler = Callable[["Context", str], Awaitable[Any]]
FormHandler = Callable[["Context", Mapping[str, str]], Awaitable[Any]]
DueJob = Callable[["JobContext"], Awaitable[None]]
HomeSection = Callable[["Context"], Awaitable["list[Reply]"]]
DemoSeeder = Callable[["JobContext", dict[str, Any]], Awaitable[None]]
Download = Callable[["JobContext", str], Awaitable["Attachment | None"]]
PageSection = Callable[["Context", "Community | None"], Awaitable["Section | None"]]


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
    # Dashboard page -> its sections in order (see bot.pages).
    page_sections: dict[str, list[tuple[int, PageSection]]] = field(default_factory=dict)

    def add_command(self, spec: CommandSpec) -> None:
        if spec.verb in self.commands:
            raise ValueError(f"command {spec.verb!r} registered twice")
        self.commands[spec.verb] = spec

    def add_form(
        self, form_id: str, handler: FormHandler, limits: Mapping[str, FieldLimit]
    ) -> None:
        if form_id in self.forms:
            raise ValueError(f"form {form_id!r} registered twice")
        self.forms[form_id] = handler
        self.form_limits[form_id] = dict(limits)

    def add_due_job(self, name: str, job: DueJob) -> None:
        if name in self.due_jobs:
            raise ValueError(f"due job {name!r} registered twice")
        self.due_jobs[name] = job

    def add_home_section(self, order: int, section: HomeSection) -> None:
        self.home_sections.append((order, section))
        self.home_sections.sort(key=lambda pair: pair[0])

    def add_demo_seeder(self, order: int, seeder: DemoSeeder) -> None:
        self.demo_seeders.append((order, seeder))
        self.demo_seeders.sort(key=lambda pair: pair[0])

    def add_download(self, kind: str, producer: Download) -> None:
        if kind in self.downloads:
            raise ValueError(f"download {kind!r} registered twice")
        self.downloads[kind] = producer

    def add_page_section(self, page: str, order: int, section: PageSection) -> None:
        sections = self.page_sections.setdefault(page, [])
        sections.append((order, section))
        sections.sort(key=lambda pair: pair[0])

    def install(self, *modules: ModuleType) -> None:
        """Add every function a module defines and marked with the decorators below.

        Only functions defined in the module itself count, so a module that imports another's
        handler does not register it a second time.
        """
        for module in modules:
            for value in list(vars(module).values()):
                if getattr(value, "__module__", None) != module.__name__:
                    continue
                for plug in getattr(value, _PLUGS, ()):
                    plug(self, value)


Plug = Callable[[Registry, Any], None]
_PLUGS = "__copbot_plugs__"


def _mark(function: Any, plug: Plug) -> None:
    """Remember on the function how to add it to a registry (see `Registry.install`)."""
    plugs = getattr(function, _PLUGS, None)
    if plugs is None:
        plugs = []
        setattr(function, _PLUGS, plugs)
    plugs.append(plug)


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
    """Mark `async def handler(ctx, args) -> Reply | list[Reply]` as the handler of a verb."""
    key = " ".join(verb.lower().split())

    def wrap(handler: CommandHandler) -> CommandHandler:
        _mark(
            handler,
            lambda registry, h: registry.add_command(
                CommandSpec(key, h, usage, summary, group, details, examples, hidden)
            ),
        )
        return handler

    return wrap


def form(
    form_id: str, *, limits: Mapping[str, FieldLimit] | None = None
) -> Callable[[FormHandler], FormHandler]:
    """Mark `async def handler(ctx, values) -> Reply` as the handler of a form's submissions.

    `limits` (see `bot.form_limits.limits_of`) are checked before the handler runs.
    """

    def wrap(handler: FormHandler) -> FormHandler:
        _mark(handler, lambda registry, h: registry.add_form(form_id, h, limits or {}))
        return handler

    return wrap


def due_job(name: str) -> Callable[[DueJob], DueJob]:
    """Mark `async def job(jctx)`, run on every heartbeat: it asks storage what is due."""

    def wrap(job: DueJob) -> DueJob:
        _mark(job, lambda registry, j: registry.add_due_job(name, j))
        return job

    return wrap


def home_section(order: int) -> Callable[[HomeSection], HomeSection]:
    """Mark a section of a member's home view (Slack App Home, `home` command)."""

    def wrap(section: HomeSection) -> HomeSection:
        _mark(section, lambda registry, s: registry.add_home_section(order, s))
        return section

    return wrap


def demo_seeder(order: int) -> Callable[[DemoSeeder], DemoSeeder]:
    """Mark demo data; seeders run in `order` and share a dict of what earlier ones made."""

    def wrap(seeder: DemoSeeder) -> DemoSeeder:
        _mark(seeder, lambda registry, s: registry.add_demo_seeder(order, s))
        return seeder

    return wrap


def download(kind: str) -> Callable[[Download], Download]:
    """Mark `async def make(jctx, arg) -> Attachment | None` as a file behind signed links.

    `bot.downloads.link(settings, kind, arg, now=...)` makes the URL to put in a reply.
    """

    def wrap(producer: Download) -> Download:
        _mark(producer, lambda registry, p: registry.add_download(kind, p))
        return producer

    return wrap


def page_section(page: str, order: int) -> Callable[[PageSection], PageSection]:
    """Mark `async def section(ctx, community) -> Section | None` as part of a dashboard page
    (`bot.pages.MEMBER`, `COMMUNITY` or `PROGRAMME`), placed by `order`. It decides itself,
    from `ctx`'s roles, whether the viewer may see it (None: not shown)."""

    def wrap(section: PageSection) -> PageSection:
        _mark(section, lambda registry, s: registry.add_page_section(page, order, s))
        return section

    return wrap
