"""The test suite's fake Slack Web API in a process of its own, for benchmarks.

    python -m bench.fake_slack_process '{"post_per_workspace_per_minute": 6000, ...}'

Enforces `tests.slack.fake_slack.Limits` (given as JSON), prints its API URL as the first line
of stdout, then answers each command read from stdin with one JSON line: `stats` (429s, calls
by method, the outbox keys posted to each channel, the texts posted to `--launcher`'s DM, the
wall-clock time and key of every accepted message, and how many posts reached response_urls).
`stop` or end of input stops it.

Imports only the fake (aiohttp), none of copbot, so it starts fast and answering HTTP never
takes the benchmarked process's time.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.slack.fake_slack import FakeSlack, Limits


def key_of(message: dict[str, Any]) -> str:
    """The outbox key a posted message carries in its metadata ("" for none)."""
    metadata = message.get("metadata") or {}
    return str((metadata.get("event_payload") or {}).get("key", ""))


@dataclass
class TimedFake(FakeSlack):
    """The fake Slack, noting when each message was accepted (wall clock: comparable across
    processes)."""

    # (wall-clock second, outbox key) of every message accepted.
    post_times: list[tuple[float, str]] = field(default_factory=list)

    def _answer(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        answer = super()._answer(method, data)
        if method == "chat.postMessage":
            channel = str(answer.get("channel"))
            self.post_times.append((time.time(), key_of(self.posted[channel][-1])))
        return answer

    def stats(self, launcher_channel: str) -> dict[str, Any]:
        return {
            "rate_limited": self.rate_limited,
            "calls": dict(Counter(self.methods())),
            "keys": {
                channel: [key_of(m) for m in messages] for channel, messages in self.posted.items()
            },
            "launcher": [m.get("text") or "" for m in self.posted.get(launcher_channel, [])],
            "post_times": self.post_times,
            "responses": sum(len(posts) for posts in self.responses.values()),
        }


async def serve(limits: dict[str, float], launcher_channel: str) -> None:
    fake = TimedFake(limits=Limits(**limits))
    await fake.start()
    print(fake.api_url, flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            command = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if command == "stats":
                print(json.dumps(fake.stats(launcher_channel)), flush=True)
            else:  # "stop", or the benchmark went away
                return
    finally:
        await fake.close()


if __name__ == "__main__":
    asyncio.run(serve(json.loads(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else ""))
