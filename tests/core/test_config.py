"""Settings read from the environment the way hosting platforms and .env files write them."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, Settings


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_database_url_means_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", value)
    assert Settings().database_url == DEFAULT_DATABASE_URL


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/cop", "postgresql+asyncpg://u:p@db:5432/cop"),
        ("postgresql://u@db/cop", "postgresql+asyncpg://u@db/cop"),
        ("sqlite:///data/cop.db", "sqlite+aiosqlite:///data/cop.db"),
        ("postgresql+asyncpg://u@db/cop", "postgresql+asyncpg://u@db/cop"),
    ],
)
def test_database_urls_use_async_drivers(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert Settings().database_url == used


def test_the_anonymity_threshold_is_never_below_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPBOT_ANONYMITY_THRESHOLD", "1")
    assert Settings().anonymity_threshold == 3


def test_the_signing_key_never_comes_from_a_platform_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rotating Slack's or Teams' secrets must not change what was keyed (bot.keys)."""
    for name, value in (
        ("SLACK_SIGNING_SECRET", "slack-signing"),
        ("SLACK_BOT_TOKEN", "xoxb-secret-bot"),
        ("SLACK_APP_TOKEN", "xapp-secret-app"),
        ("MICROSOFT_APP_PASSWORD", "teams-password"),
    ):
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert not settings.signing_key_ready
    with pytest.raises(RuntimeError):
        _ = settings.signing_key  # no silent fallback to any of the secrets above
    settings.use_stored_key(b"k" * 32)
    assert settings.signing_key == b"k" * 32
    monkeypatch.setenv("COPBOT_SECRET_KEY", "chosen")
    assert Settings().signing_key == b"chosen"
