"""CI helper: `ping`, `create NAME` or `drop NAME` on the local PostgreSQL server."""

import asyncio
import sys

import asyncpg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def main(action: str, name: str = "") -> None:
    conn = await asyncio.wait_for(asyncpg.connect(ADMIN_URL), timeout=5)
    try:
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop":
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


if __name__ == "__main__":
    try:
        asyncio.run(main(*sys.argv[1:]))
    except Exception as exc:
        print(f"PostgreSQL: {type(exc).__name__}: {exc}")
        sys.exit(1)
