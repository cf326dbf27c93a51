"""When Slack refuses an answer the asker still hears back; charts reach the asker as files."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from adapters.slack.answer import SORRY
from bot.messages import Image, Reply, Visibility
from bot.registry import CommandSpec, Registry
from tests.slack.driver import SlackDriver, button, signed_headers

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def chart_verbs(registry: Registry) -> Iterator[None]:
    """Hidden verbs answering with a chart, privately and to the channel; removed afterwards.

    No shipped verb of the foundation returns an image yet, and an `Image` has no URL: Slack
    must get the bytes as an upload.
    """

    async def private_chart(ctx: object, args: str) -> Reply:
        return Reply("Members per month", image=Image(PNG, alt="Members per month"))

    async def channel_chart(ctx: object, args: str) -> Reply:
        image = Image(PNG, alt="Attendance", filename="attendance.png")
        return Reply("Attendance", image=image, visibility=Visibility.CHANNEL)

    added = {
        "test-chart": CommandSpec("test-chart", private_chart, "x", "x", "Test", hidden=True),
        "test-chart-all": CommandSpec(
            "test-chart-all", channel_chart, "x", "x", "Test", hidden=True
        ),
    }
    registry.commands.update(added)
    yield
    for verb in added:
        registry.commands.pop(verb, None)


# -- a refused answer ----------------------------------------------------------------------------


async def test_refused_answer_at_the_response_url_becomes_an_apology(slack: SlackDriver) -> None:
    slack.fake.fail_next_response(400, "invalid_blocks")
    [answer] = await slack.command("help", "UADA")
    assert answer["text"] == SORRY
    assert answer["response_type"] == "ephemeral"
    assert not answer.get("blocks")  # plain text: the blocks may be what Slack refused


async def test_dead_response_url_in_a_channel_apologises_ephemerally(slack: SlackDriver) -> None:
    slack.fake.fail_next_response(404, "expired_url")
    slack.fake.fail_next_response(404, "expired_url")
    assert await slack.command("help", "UADA", channel_id="CGEN") == []
    [ephemeral] = slack.fake.called("chat.postEphemeral")
    assert (ephemeral["channel"], ephemeral["user"], ephemeral["text"]) == ("CGEN", "UADA", SORRY)
    assert slack.fake.called("chat.postMessage") == []  # nothing public


async def test_refused_dm_answer_apologises_in_the_dm(slack: SlackDriver) -> None:
    slack.fake.fail_next("chat.postMessage", 200, error="invalid_blocks")
    response = await slack.dm("help", "UADA")
    assert response.status == 200
    refused, apology = slack.fake.called("chat.postMessage")
    assert refused["blocks"]
    assert apology["channel"] == "DUADA"
    assert apology["text"] == SORRY
    assert not apology.get("blocks")


async def test_refused_mention_answer_apologises_to_the_asker_only(slack: SlackDriver) -> None:
    slack.fake.fail_next("chat.postEphemeral", 200, error="invalid_blocks")
    mention = {"type": "app_mention", "channel": "CGEN", "user": "UADA", "text": "<@UBOT> help"}
    await slack.event({**mention, "ts": "1700000001.000009"})
    refused, apology = slack.fake.called("chat.postEphemeral")
    assert refused["blocks"] and apology["text"] == SORRY
    assert (apology["channel"], apology["user"]) == ("CGEN", "UADA")
    assert slack.fake.called("chat.postMessage") == []


async def test_failed_app_home_click_apologises_in_the_dm(slack: SlackDriver) -> None:
    await slack.event({"type": "app_home_opened", "user": "UADA", "tab": "home"})
    [home] = slack.fake.called("views.publish")
    slack.fake.fail_next("chat.postMessage", 200, error="invalid_blocks")

    await slack.click(button(home["view"], "Find a community"), "UADA", container="view")
    _refused, apology = slack.fake.called("chat.postMessage")
    assert apology["channel"] == "DUADA" and apology["text"] == SORRY


# -- charts and files in answers -----------------------------------------------------------------


def _uploads(slack: SlackDriver) -> list[tuple[str, int]]:
    """(channel, bytes) of every completed upload, in order."""
    sizes = [c.data["size"] for c in slack.fake.calls if c.method == "upload"]
    channels = [c["channel_id"] for c in slack.fake.called("files.completeUploadExternal")]
    assert len(sizes) == len(channels)
    return list(zip(channels, sizes, strict=True))


@pytest.mark.usefixtures("chart_verbs")
async def test_private_chart_in_a_channel_goes_to_the_askers_dm(slack: SlackDriver) -> None:
    [answer] = await slack.command("test-chart", "UADA", channel_id="CGEN")
    assert answer["response_type"] == "ephemeral"
    assert "Chart: Members per month" in str(answer["blocks"])
    # The picture itself is uploaded whole, privately: never into the channel.
    assert _uploads(slack) == [("DUADA", len(PNG))]
    [requested] = slack.fake.called("files.getUploadURLExternal")
    assert requested["filename"] == "chart.png"
    assert int(requested["length"]) == len(PNG)


@pytest.mark.usefixtures("chart_verbs")
async def test_channel_chart_is_uploaded_to_the_channel(slack: SlackDriver) -> None:
    [answer] = await slack.command("test-chart-all", "UADA", channel_id="CGEN")
    assert answer["response_type"] == "in_channel"
    assert _uploads(slack) == [("CGEN", len(PNG))]


@pytest.mark.usefixtures("chart_verbs")
async def test_chart_in_a_dm_is_uploaded_to_that_dm(slack: SlackDriver) -> None:
    await slack.dm("test-chart", "UADA")
    [post] = slack.fake.called("chat.postMessage")
    assert post["channel"] == "DUADA"
    assert _uploads(slack) == [("DUADA", len(PNG))]


# -- Slack's 3-second rule -----------------------------------------------------------------------


async def test_slash_command_is_acknowledged_before_slow_work_finishes(
    slack: SlackDriver, registry: Registry
) -> None:
    """The HTTP answer never waits for the core: slow work answers later at the response_url."""
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(ctx: object, args: str) -> Reply:
        started.set()
        await release.wait()
        return Reply("Finally done")

    registry.commands["test-slow"] = CommandSpec("test-slow", slow, "x", "x", "Test", hidden=True)
    try:
        url = slack.fake.response_url()
        body = slack.command_body("test-slow", "UADA", response_url=url)
        headers = {
            **signed_headers(body, slack.now()),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        # Were the answer to wait for the work, this would time out instead of hanging.
        response = await asyncio.wait_for(
            slack.client.post("/slack/events", data=body.encode(), headers=headers), 10
        )
        # Acknowledged while the handler is still blocked.
        assert response.status == 200
        await asyncio.wait_for(started.wait(), 5)
        assert slack.fake.answered(url) == []
        release.set()
        await slack.adapter.settle()
    finally:
        release.set()  # never leave the handler waiting, even when an assertion failed
        registry.commands.pop("test-slow", None)
    [answer] = slack.fake.answered(url)
    assert answer["text"] == "Finally done"
