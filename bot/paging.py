"""Pagination of long lists, with a "more" button that is also a typed command."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.errors import UserError
from bot.messages import Choice, Reply

_PAGE = re.compile(r"(?:^|\s+)page\s+(\d{1,5})\s*$", re.I)
# `page -1` or `page 123456` is meant as paging, so it must not be searched as words.
_BAD_PAGE = re.compile(r"(?:^|\s+)page\s+(?:[-+]\d+|\d{6,})\s*$", re.I)

T = TypeVar("T")


def take_page(args: str) -> tuple[str, int]:
    """Split a trailing `page N` off the arguments (pages count from 1)."""
    found = _PAGE.search(args)
    if not found:
        if _BAD_PAGE.search(args):
            raise UserError("Pages are numbered from 1: add `page 2`, `page 3` … at the end.")
        return args, 1
    return args[: found.start()].strip(), max(1, int(found.group(1)))


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    per_page: int
    total: int
    # The total stopped counting here (a search of a common word): "more than 1,000".
    more_than: int | None = None

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_more(self) -> bool:
        # Past the cap the last page is not known: offer the next one (it may say "no more").
        return self.more_than is not None or self.number < self.pages

    def footer(self) -> str:
        if self.more_than is not None:
            return f"Page {self.number} (more than {self.more_than:,} in all)"
        return f"Page {self.number} of {self.pages} ({self.total} in all)"

    def more(self, command: str) -> tuple[Choice, ...]:
        """A "Next page" choice running `command page N+1`, when there is one."""
        if not self.has_more:
            return ()
        of = "" if self.more_than is not None else f"/{self.pages}"
        return (Choice(f"Next page ({self.number + 1}{of})", f"{command} page {self.number + 1}"),)


def slice_page(items: Sequence[T], number: int, per_page: int) -> tuple[Page, list[T]]:
    page = Page(min(number, max(1, -(-len(items) // per_page))), per_page, len(items))
    return page, list(items[page.offset : page.offset + per_page])


# What Page.footer() writes: a reply showing it is one page of a list that `page N` can turn.
_FOOTER = re.compile(r"\bPage \d+ (?:of \d+ )?\(")
_BARE_PAGE = re.compile(r"^page\b\s*(?P<number>.*?)\s*$", re.I | re.S)
# A `page N` already in a list command, before an optional trailing `in <community>`.
_PAGE_IN_LINE = re.compile(r"\s+page\s+\d{1,5}(?=(?:\s+in\s+#?[A-Za-z0-9][\w-]*)?\s*$)", re.I)
_TRAILING_COMMUNITY = re.compile(r"\s+in\s+#?[A-Za-z0-9][\w-]*\s*$", re.I)


def list_to_remember(line: str, replies: Sequence[Reply]) -> str | None:
    """`line` without its page when its answer is one page of a list (a bare `page 3` then
    continues it), else None."""
    if not any(_is_a_page(reply) for reply in replies):
        return None
    return _PAGE_IN_LINE.sub("", line).strip()


def continued(listed: str | None, line: str) -> str | None:
    """The list command a bare `page N` stands for (`listed`: the last list shown here), or
    None when `line` is something else."""
    found = _BARE_PAGE.match(line)
    if found is None:
        return None
    number = found["number"]
    if not number.isdigit() or not 0 < int(number) < 100_000:
        raise UserError("Which page? Type its number, e.g. `page 2`.")
    if listed is None:
        raise UserError(
            "`page N` turns the pages of the last list I showed you here, and I have none "
            "in mind. Add the page to the list's command, e.g. `lessons page 2`."
        )
    community = _TRAILING_COMMUNITY.search(listed)
    if community is None:
        return f"{listed} page {int(number)}"
    return f"{listed[: community.start()]} page {int(number)}{community.group(0)}"


def _is_a_page(reply: Reply) -> bool:
    return _has_footer(reply.text) or _has_footer(reply.context)


def _has_footer(text: str | None) -> bool:
    # The substring test first: it is C-fast, while the regex (its `\b` defeats the literal
    # prefix scan) took most of a `help` request's CPU on the long help text.
    return bool(text and "Page " in text and _FOOTER.search(text))
