"""Teams people get their timezone from what their client reports, unless they set one."""

from __future__ import annotations

from typing import Any

from bot.messages import Platform
from storage import people
from tests.teams.driver import TeamsDriver


def client_info(zone: str) -> list[dict[str, Any]]:
    # What Teams clients put on every message they send (Bot Framework clientInfo entity).
    return [
        {
            "type": "clientInfo",
            "locale": "de-DE",
            "country": "DE",
            "platform": "Web",
            "timezone": zone,
        }
    ]


async def timezone_of(teams: TeamsDriver, user_id: str) -> str | None:
    async with teams.adapter.core.services.db.session() as session:
        identity = await people.find_identity(session, Platform.TEAMS, user_id)
        assert identity is not None
        member = await people.get_member(session, identity.member_id)
        assert member is not None
        return member.timezone


async def test_the_clients_timezone_fills_an_empty_profile(teams: TeamsDriver) -> None:
    activity = teams.message("timezone", "29:ute", entities=client_info("Europe/Berlin"))
    response = await teams.post(activity)
    assert response.status == 201
    assert await timezone_of(teams, "29:ute") == "Europe/Berlin"
    # The top-level localTimezone Teams also sends is read too.
    activity = teams.message("hours", "29:kai", localTimezone="America/Chicago")
    assert (await teams.post(activity)).status == 201
    assert await timezone_of(teams, "29:kai") == "America/Chicago"


async def test_a_timezone_the_person_set_wins_and_nonsense_is_ignored(teams: TeamsDriver) -> None:
    assert "Asia/Tokyo" in await teams.say("timezone Asia/Tokyo", "29:ute")
    activity = teams.message("timezone", "29:ute", entities=client_info("Europe/Berlin"))
    assert (await teams.post(activity)).status == 201
    assert await timezone_of(teams, "29:ute") == "Asia/Tokyo"
    odd = teams.message("help", "29:ola", entities=client_info("../../etc/passwd"))
    assert (await teams.post(odd)).status == 201
    assert await timezone_of(teams, "29:ola") is None
