"""Rows known from memory attach to a session without a SELECT (storage.people.attach_known),
also to one that already read the same row: a request that lost the race to create a new
person rolls back and starts again in the same session, and by then the winner's rows are in
memory."""

from __future__ import annotations

from bot.clock import FrozenClock
from storage import people
from storage.db import Database
from storage.tables import Identity, Member


async def test_a_known_row_attaches_to_a_session_that_read_it_before(
    database: Database, clock: FrozenClock
) -> None:
    async with database.session() as session:
        created = await people.create_member_unless_known(
            session, platform="slack", user_id="UNEW", display_name="New", now=clock.now()
        )
        assert created is not None
    member_row, identity_row = created
    known_member, known_identity = people.row_values(member_row), people.row_values(identity_row)

    async with database.session() as session:
        read = await people.find_identity(session, "slack", "UNEW")
        assert read is not None
        await session.rollback()  # what was read stays in the session, expired
        identity = people.attach_known(session, Identity, known_identity)
        member = people.attach_known(session, Member, known_member)
        assert identity is read
        # Readable without a query (an expired row would need one, and async has none).
        assert (identity.platform_user_id, member.display_name) == ("UNEW", "New")
        member.display_name = "Renamed"
    async with database.session() as session:
        again = await people.get_member(session, known_member["id"])
        assert again is not None and again.display_name == "Renamed"
