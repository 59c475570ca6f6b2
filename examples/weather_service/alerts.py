"""Async alert fan-out: the right way and two wrong ones."""
from __future__ import annotations

import asyncio

import aiohttp
import httpx

API = "https://api.weather.example.com"


async def push_alerts(session: aiohttp.ClientSession, alerts: list[dict]) -> list[int]:
    statuses = []
    for alert in alerts:
        async with session.post(f"{API}/alerts", json=alert) as response:
            statuses.append(response.status)
    return statuses


async def alert_status(session: aiohttp.ClientSession, alert_id: str) -> int:
    response = await session.get(f"{API}/alerts/{alert_id}")
    return response.status


async def subscribers(region: str) -> list[str]:
    client = httpx.AsyncClient(base_url=API)
    pages = [await client.get(f"/regions/{region}/subscribers", params={"page": n}) for n in range(3)]
    return [name for page in pages for name in page.json()]


async def shutdown(session: aiohttp.ClientSession) -> None:
    session.close()


async def main() -> None:
    async with aiohttp.ClientSession() as session:
        print(await push_alerts(session, [{"region": "north", "level": "amber"}]))


if __name__ == "__main__":
    asyncio.run(main())
