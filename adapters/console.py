"""`copbot chat`: a terminal chat on the real core and database, no platform account needed.

Type commands as you would in Slack or Teams. Lines starting with `/` are for the chat itself:
`/as <name>` switch who you are, `/channel <name>` talk in a channel, `/dm` back to your DM,
`/wait <30m|2h|1d>` move time forward and run the scheduler, `/whoami`, `/help`, `/quit`.

`/wait` moves time in steps, running the scheduler at each, so a reminder due in the middle of
the jump is sent (and printed with its time) then, not skipped.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from bot import whoami
from bot.core_api import CoreAPI
from bot.messages import (
    Action,
    Choice,
    Command,
    ConversationRef,
    Form,
    FormField,
    FormSubmission,
    Platform,
    Reply,
    SentMessage,
    Target,
    User,
    UserRef,
)
from bot.ports import Pace
from bot.render_text import render

CHAT_HELP = (
    "Local chat commands: /as <name> (be someone else), /channel <name> (talk in a channel), "
    "/dm (back to a direct message), /wait <30m|2h|1d> (move time on), /whoami, /help, /quit.\n"
    "Anything else goes to copbot: try `help`, `communities` or `join data-eng`."
)
# `/wait` runs the scheduler at most this many times: steps are the smallest of STEP_MINUTES
# that fit, on round times (a reminder due at 14:45 goes at 14:45 in 15-minute steps).
MAX_WAIT_STEPS = 96
STEP_MINUTES = (1, 5, 15, 30, 60, 120, 240, 720, 1440)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_DURATION = re.compile(r"^(\d+)\s*([mhd])$")
LOG_FILE = "copbot-chat.log"
# Terminal control characters (ESC, BEL, C1 …): a name or lesson typed on Slack or Teams must
# not be able to retitle, clear or rewrite the operator's terminal when shown here.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Text as it may be printed to a terminal: control characters shown as `?`."""
    return _CONTROL.sub("?", text)


class _OneLine(logging.Formatter):
    """A log line without its traceback: in a terminal chat a traceback reads as a crash."""

    def format(self, record: logging.LogRecord) -> str:
        detailed = record.exc_info is not None or record.stack_info is not None
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        plain.stack_info = None
        line = super().format(plain)
        return f"{line} (details in {LOG_FILE})" if detailed else line


def _tracebacks_to_file(directory: Path) -> None:
    """Keep the terminal readable: one line per problem there, full details in a log file."""
    root = logging.getLogger()
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:
            handler.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
    details = logging.FileHandler(directory / LOG_FILE, delay=True, encoding="utf-8")
    details.setLevel(logging.WARNING)
    details.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(details)


class MovableClock(Protocol):
    """The chat's clock: real time that `/wait` moves on (tests pass a FrozenClock)."""

    def now(self) -> datetime: ...

    def advance(self, delta: timedelta) -> datetime: ...


class Buttons(Protocol):
    """Numbers the buttons of a printed message that the person at the terminal can press."""

    def offer(self, target: Target, reply: Reply) -> int | None: ...


class ConsolePort:
    """Prints proactive messages into the terminal, labelled with who receives them and when."""

    platform = Platform.CONSOLE

    def __init__(self, out: TextIO, clock: MovableClock | None = None) -> None:
        self.out = out
        self.clock = clock
        self.buttons: Buttons | None = None
        self._ids = itertools.count(1)

    async def send(self, target: Target, reply: Reply, *, key: str = "") -> SentMessage:
        if isinstance(target, UserRef):
            header = f"--- direct message to {target.user_id} ---"
            conversation = ConversationRef(Platform.CONSOLE, f"dm:{target.user_id}", is_direct=True)
        else:
            header = f"--- #{target.conversation_id} ---"
            conversation = target
        if self.clock is not None:
            header += f" {self.clock.now():%a %d %b %Y %H:%M} UTC"
        first = self.buttons.offer(target, reply) if self.buttons is not None else None
        shown = render(reply, numbered_choices=first is not None, first_number=first or 1)
        self.out.write(inert(f"{header}\n{shown}\n"))
        self.out.flush()
        return SentMessage(conversation, str(next(self._ids)))

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        self.out.write(inert(f"--- (message {sent.message_id} updated) ---\n{render(reply)}\n"))
        self.out.flush()

    async def find_sent(self, target: Target, key: str) -> SentMessage | None:
        return None  # a terminal keeps no history to look in

    def pace(self, target: Target) -> Pace | None:
        return None


class ConsoleChat:
    def __init__(
        self, core: CoreAPI, clock: MovableClock, stdin: TextIO, stdout: TextIO, user: str
    ) -> None:
        self.core = core
        self.clock = clock
        self.stdin = stdin
        self.out = stdout
        self.user = user
        self.channel: str | None = None
        self.choices: tuple[Choice, ...] = ()
        self.interactive = stdin.isatty()
        self.files = Path("copbot-files")

    # -- I/O ------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.out.write(inert(text) + "\n")
        self.out.flush()

    async def read(self, prompt: str) -> str | None:
        if self.interactive:
            self.out.write(inert(prompt))
            self.out.flush()
        line = await asyncio.get_running_loop().run_in_executor(None, self.stdin.readline)
        if line == "":
            return None
        return line.rstrip("\r\n")

    # -- identity ---------------------------------------------------------------------------

    def person(self) -> User:
        return User(Platform.CONSOLE, self.user, name=self.user)

    def conversation(self) -> ConversationRef:
        if self.channel:
            return ConversationRef(Platform.CONSOLE, self.channel)
        return ConversationRef(Platform.CONSOLE, f"dm:{self.user}", is_direct=True)

    # -- loop -------------------------------------------------------------------------------

    async def run(self) -> None:
        self.say(f"copbot local chat. You are {self.user}. {CHAT_HELP}")
        self.say(await self.introduction())
        while True:
            where = f"#{self.channel}" if self.channel else "dm"
            line = await self.read(f"{self.user}@{where}> ")
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            try:
                if line.startswith("/") and not line.lower().startswith("/cop"):
                    if not await self.chat_command(line):
                        break
                    continue
                await self.send(self.to_request(line))
            except Exception as exc:  # the chat itself must never die on bad input
                self.say(f"(local chat error: {exc})")

    def to_request(self, line: str) -> Command | Action | None:
        """What a typed line asks; None (after saying why) for a button number not on screen."""
        if line.isdigit() and 0 < int(line) <= len(self.choices):
            choice = self.choices[int(line) - 1]
            if choice.command:
                return Action(self.person(), self.conversation(), choice.command)
            self.say(f"({line} is a link: open {choice.url})")
            return None
        if line.isdigit() and len(line) <= 3:
            shown = f"1-{len(self.choices)}" if self.choices else "none"
            self.say(
                f"(There is no button {line} for you on screen (buttons shown since your last "
                f"command: {shown}). Type a number in brackets, or the command beside it.)"
            )
            return None
        return Command(self.person(), self.conversation(), line)

    async def send(self, request: Command | Action | FormSubmission | None) -> None:
        if request is None:
            return
        replies = await self.core.router.handle(request)
        self.choices = ()  # a new answer: its buttons, and the messages it brings, count from 1
        self.show(replies)
        await self.core.settle()
        await self.core.heartbeat.deliver()
        for reply in replies:
            if reply.form is not None:
                await self.fill(reply.form)

    def show(self, replies: list[Reply]) -> None:
        """Print an answer. Buttons are numbered on from those already on screen (across all
        its replies and the messages it brings), so a number typed next picks exactly one."""
        for reply in replies:
            self.say(render(reply, first_number=len(self.choices) + 1))
            self.save_files(reply)
            self.choices = (*self.choices, *reply.choices)

    def offer(self, target: Target, reply: Reply) -> int | None:
        """Number the buttons of a message sent to the person at the terminal (a DM to them,
        or a post in the channel they are in): the number of its first button, or None."""
        if isinstance(target, UserRef):
            mine = target.platform == Platform.CONSOLE and target.user_id == self.user
        else:
            here = target.conversation_id == self.channel
            mine = target.platform == Platform.CONSOLE and here
        if not mine:
            return None
        first = len(self.choices) + 1
        self.choices = (*self.choices, *reply.choices)
        return first

    async def introduction(self, *, others: bool = True) -> str:
        """Who you are, what that lets you do, and (unless not `others`) whom to become to
        see the other roles."""
        services = self.core.services
        me = await whoami.standing(services, Platform.CONSOLE, self.user)
        lines = [_who_line(self.user, me)]
        if not others:
            return lines[0]
        people = [
            s for s in await whoami.stand_ins(services, Platform.CONSOLE) if s.handle != self.user
        ]
        if people:
            lines.append("To see copbot as someone else, become one of them:")
            width = max(len(s.handle) for s in people)
            for stand_in in people:
                where = " and ".join(stand_in.communities)
                lines.append(
                    f"  /as {stand_in.handle:<{width}}  {stand_in.name}, {stand_in.role} of "
                    f"{where} (may {whoami.ROLE_CAN[whoami.Role(stand_in.role)]})"
                )
        return "\n".join(lines)

    def save_files(self, reply: Reply) -> None:
        """Files and charts cannot show in a terminal: save them and say where."""
        for name, data in _files_of(reply):
            path = self.files / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            self.say(f"(saved {path})")

    async def chat_command(self, line: str) -> bool:
        word, _, rest = line[1:].partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in {"quit", "exit", "q"}:
            return False
        if word == "as" and rest:
            self.user = rest.lstrip("@").lower()
            self.choices = ()  # the buttons on screen were someone else's
            self.say(f"You are now {self.user}.")
            self.say(await self.introduction(others=False))
        elif word == "channel" and rest:
            self.channel = rest.lstrip("#").lower()
            self.say(f"You are now talking in #{self.channel}.")
        elif word == "dm":
            self.channel = None
            self.say("You are now in your direct message with copbot.")
        elif word == "whoami":
            self.say(f"You are {self.user}, in {'#' + self.channel if self.channel else 'a DM'}.")
            self.say(await self.introduction())
        elif word == "wait" and (wait := _DURATION.match(rest.lower())):
            amount, unit = wait.groups()
            step = {"m": "minutes", "h": "hours", "d": "days"}[unit]
            await self.wait(timedelta(**{step: int(amount)}))
            self.say(f"(time is now {self.clock.now():%Y-%m-%d %H:%M} UTC)")
        elif word == "help":
            self.say(f"{CHAT_HELP}\n{await self.introduction()}")
        else:
            self.say(CHAT_HELP)
        return True

    async def wait(self, jump: timedelta) -> None:
        """Move time on in steps, running the scheduler at each: what falls due inside the jump
        is sent at its own step and printed with that time, as a server would have."""
        self.choices = ()
        end = self.clock.now() + jump
        for moment in wait_steps(self.clock.now(), end):
            if moment > self.clock.now():
                self.clock.advance(moment - self.clock.now())
            await self.core.heartbeat.tick()

    async def fill(self, form: Form) -> None:
        """Ask for each field in turn, submit, and ask again for any field with an error."""
        self.say(f"Filling in '{form.title}'. Leave optional fields empty; /cancel stops.")
        values: dict[str, str] = {}
        pending = list(form.fields)
        while pending:
            for field in pending:
                answer = await self.ask(field)
                if answer is None:
                    self.say("Cancelled; nothing was saved.")
                    return
                values[field.name] = answer
            replies = await self.core.router.handle(
                FormSubmission(self.person(), self.conversation(), form.form_id, dict(values))
            )
            errors = dict(next((r.errors for r in replies if r.errors), ()))
            self.show(replies)
            await self.core.settle()
            await self.core.heartbeat.deliver()
            pending = [f for f in form.fields if f.name in errors]
            if not errors:
                for reply in replies:
                    if reply.form is not None:
                        await self.fill(reply.form)

    async def ask(self, field: FormField) -> str | None:
        label = field.label + (" (required)" if field.required else "")
        if field.options and _numbered_scale(field):
            label += f" [{', '.join(option for option, _v in field.options)}]"
        elif field.options:
            listed = ", ".join(
                f"{n}={label}" for n, (label, _v) in enumerate(field.options, start=1)
            )
            label += f" [{listed}]"
        if field.initial:
            label += f" [now: {field.initial}]"
        self.say(f"{label}:")
        answer = await self.read("> ")
        if answer is None or answer.strip() == "/cancel":
            return None
        answer = answer.strip()
        if not answer and field.initial:
            return field.initial
        if field.options and _numbered_scale(field):
            # A 0-10 or 1-5 scale: typing 10 means the option "10", not the tenth one.
            by_label = {option: value for option, value in field.options}
            return by_label.get(answer, answer)
        if field.options and answer.isdigit() and 0 < int(answer) <= len(field.options):
            return field.options[int(answer) - 1][1]
        if field.kind == "multichoice" and field.options:
            # "1, 3" picks the first and third options; anything else goes as typed.
            picks = [p.strip() for p in answer.split(",")]
            if all(p.isdigit() and 0 < int(p) <= len(field.options) for p in picks):
                return ",".join(field.options[int(p) - 1][1] for p in picks)
        return answer


def wait_steps(start: datetime, end: datetime) -> list[datetime]:
    """The moments `/wait` stops at: round times of the smallest step that keeps the count
    under MAX_WAIT_STEPS, then `end` itself."""
    total = (end - start) / timedelta(minutes=1)
    minutes = next((m for m in STEP_MINUTES if total / m <= MAX_WAIT_STEPS), STEP_MINUTES[-1])
    step = timedelta(minutes=minutes)
    moment = _EPOCH + ((start - _EPOCH) // step + 1) * step
    moments: list[datetime] = []
    while moment < end and len(moments) < MAX_WAIT_STEPS:
        moments.append(moment)
        moment += step
    return [*moments, end]


def _who_line(handle: str, me: whoami.Standing) -> str:
    held = "; ".join(f"{' and '.join(roles)} of {name}" for name, roles in me.roles)
    if me.is_coordinator and not me.roles:
        return (
            f"You are {me.name}, a coordinator in no community: you may "
            f"{whoami.ROLE_CAN[whoami.Role.COORDINATOR]}. `home`, "
            "`meetings` and `surveys` show only what is yours, so `join <community>` "
            "(see `communities`) or become someone else."
        )
    if me.is_coordinator:
        return f"You are {me.name} ({handle}), a coordinator, and {held}."
    if me.roles:
        return f"You are {me.name} ({handle}): {held}."
    return f"You are {handle}, in no community yet: see `communities`, then `join <community>`."


def _numbered_scale(field: FormField) -> bool:
    """Options that are numbers themselves (a rating scale), so no position numbers are shown."""
    return all(option.strip().isdigit() for option, _value in field.options)


def _files_of(reply: Reply) -> list[tuple[str, bytes]]:
    found = []
    if reply.file is not None:
        found.append((Path(reply.file.filename).name, reply.file.data))
    if reply.image is not None:
        found.append((Path(reply.image.filename).name, reply.image.png))
    return found


async def run_chat(
    core: CoreAPI, clock: MovableClock, stdin: TextIO, stdout: TextIO, user: str
) -> None:
    _tracebacks_to_file(Path.cwd())
    port = ConsolePort(stdout, clock)
    core.services.ports.register(port)
    await core.services.db.upgrade()
    chat = ConsoleChat(core, clock, stdin, stdout, user)
    port.buttons = chat
    await chat.run()
    await core.settle()
    await core.services.db.dispose()
