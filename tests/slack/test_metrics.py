"""`GET /metrics` after real traffic: a fan-out through the Slack port, commands, a heartbeat.

The counts are read back with prometheus-client's own parser, as a Prometheus server would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FrozenClock
from bot.delivery import BULK
from storage.db import Database
from tests.slack.driver import SlackDriver
from tests.slack.fake_slack import Limits
from tests.slack.test_fanout import FAST, deliver_all, seed

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(slack: SlackDriver, token: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await slack.client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    return parse(await response.text())


@pytest.fixture
async def slack(database: Database, clock: FrozenClock) -> AsyncIterator[SlackDriver]:
    driver = await SlackDriver.start(clock=clock, db=database, settings=FAST)
    driver.fake.limits = Limits(post_per_workspace_per_minute=6000)
    yield driver
    await driver.close()


async def test_metrics_after_a_fan_out_show_what_happened(slack: SlackDriver) -> None:
    users = await seed(slack, 40, "survey", BULK)
    slack.clock.advance(timedelta(seconds=90))  # type: ignore[attr-defined]

    before = await scrape(slack)
    assert value(before, "copbot_outbox_messages", platform="slack", state="pending") == 40
    assert value(before, "copbot_dispatcher_lag_seconds") == pytest.approx(90, abs=1)

    slack.fake.fail_next("chat.postMessage", 429, retry_after=1)
    slack.fake.fail_next("chat.postMessage", 503)
    await deliver_all(slack)
    assert all(len(slack.fake.delivered(user)) == 1 for user in users)

    after = await scrape(slack)
    assert value(after, "copbot_sends_total", platform="slack", outcome="sent") == 40
    assert value(after, "copbot_sends_total", platform="slack", outcome="rate_limited") == 1
    assert value(after, "copbot_sends_total", platform="slack", outcome="retry") == 1
    assert value(after, "copbot_outbox_messages", platform="slack", state="sent") == 40
    assert value(after, "copbot_outbox_messages", platform="slack", state="pending") == 0
    assert value(after, "copbot_dispatcher_lag_seconds") == 0


async def test_metrics_count_requests_acks_and_commands_by_verb(slack: SlackDriver) -> None:
    await slack.command("help", "UADA")
    await slack.command("communities", "UADA")
    await slack.command("communities", "UBO")
    await slack.command("frobnicate everything", "UBO")
    await slack.adapter.core.heartbeat.run_jobs()

    samples = await scrape(slack)
    assert value(samples, "copbot_commands_total", verb="communities") == 2
    assert value(samples, "copbot_commands_total", verb="help") == 1
    # What people typed never becomes a label: an unknown verb is counted as such.
    assert value(samples, "copbot_commands_total", verb="unknown") == 1
    assert not [key for key in samples if ("verb", "frobnicate") in key[1]]
    route = {"route": "/slack/events", "method": "POST", "status": "200"}
    assert value(samples, "copbot_http_requests_total", **route) == 4
    assert value(samples, "copbot_ack_seconds_count", platform="slack") == 4
    assert value(samples, "copbot_ack_seconds_bucket", platform="slack", le="+Inf") == 4
    assert value(samples, "copbot_heartbeat_seconds_count") == 1


async def test_download_links_are_counted_by_route_pattern_not_by_signed_path(
    slack: SlackDriver,
) -> None:
    response = await slack.client.get("/files/my-data/12?exp=1&sig=forged")
    assert response.status == 403
    samples = await scrape(slack)
    route = {"route": "/files/{kind}/{arg}", "method": "GET", "status": "403"}
    assert value(samples, "copbot_http_requests_total", **route) == 1
    assert not [key for key in samples if any("forged" in v for _, v in key[1])]


async def test_metrics_token_is_required_when_set(database: Database, clock: FrozenClock) -> None:
    driver = await SlackDriver.start(
        clock=clock, db=database, settings={"COPBOT_METRICS_TOKEN": "s3cret-scrape"}
    )
    try:
        assert (await driver.client.get("/metrics")).status == 401
        wrong = await driver.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        assert "COPBOT_METRICS_TOKEN" in await wrong.text()
        samples = await scrape(driver, token="s3cret-scrape")
        assert ("copbot_dispatcher_lag_seconds", frozenset()) in samples
    finally:
        await driver.close()
