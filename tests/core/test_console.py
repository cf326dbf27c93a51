"""`copbot chat` driven through its real stdin and stdout, on the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """\
help
communities
/as sam
charter data-eng
join data-eng
hlep
/as linus
role add @sam leader
/as grace
role add @"Sam Okafor" facilitator in data-eng
community new
Bad Slug
Platform Guild
Make platforms boring
In scope: everything platform


2
Europe/Bern
platform-guild
Europe/Berlin
charter platform-guild
/wait 1h
/quit
"""


def run_chat(tmp_path: Path, script: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/chat.db"}
    env = {k: v for k, v in env.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--as", "me", *args],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_scripted_chat_session_on_demo_data(tmp_path: Path) -> None:
    out = run_chat(tmp_path, SCRIPT, "--demo")
    assert "copbot local chat. You are me." in out
    assert "What I can do" in out
    assert "*Data Engineering* `data-eng`" in out and "*Safety Inspection* `safety`" in out
    assert "Charter of Data Engineering" in out
    # Joining answers in the chat and the welcome arrives as a direct message.
    assert "Welcome to *Data Engineering*!" in out
    assert "--- direct message to sam ---" in out and "Three things to try first" in out
    assert "Did you mean `help`?" in out
    assert "Only leaders or coordinators of Data Engineering can manage community roles" in out
    assert "Sam Okafor is now a facilitator of Data Engineering." in out
    # The form asks field by field, then asks again only for the fields with errors.
    assert "Filling in 'New community'" in out
    assert "! slug: Use 2-48 lowercase letters" in out
    assert "! timezone: Use a name like Europe/Berlin" in out
    assert "Created *Platform Guild* (`platform-guild`)" in out
    assert "Make platforms boring" in out and "organisation-driven" in out
    assert "(time is now" in out
    assert " INFO " not in out


def test_chat_without_demo_on_an_empty_database_and_eof(tmp_path: Path) -> None:
    out = run_chat(tmp_path, "communities\n\n/whoami\n")
    assert "There are no communities yet" in out
    assert "You are me, in a DM." in out
