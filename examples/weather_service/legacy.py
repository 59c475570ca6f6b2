"""The version that took production down: a session per request and leaked streams."""
from __future__ import annotations

import requests
import urllib3

API = "https://api.weather.example.com"


def forecast(city: str) -> dict:
    with requests.Session() as session:
        return session.get(f"{API}/forecast", params={"q": city}, timeout=10).json()


def forecasts(cities: list[str]) -> dict[str, dict]:
    return {city: requests.get(f"{API}/forecast", params={"q": city}, timeout=10).json() for city in cities}


def radar_size(region: str) -> int:
    response = requests.get(f"{API}/radar/{region}", stream=True, timeout=30)
    return int(response.headers["Content-Length"])


def station_status(stations: list[str]) -> dict[str, int]:
    statuses = {}
    for station in stations:
        pool = urllib3.PoolManager(timeout=5.0)
        statuses[station] = pool.request("GET", f"{API}/stations/{station}").status
    return statuses


def upload_readings(readings: list[dict]) -> None:
    session = requests.Session()
    for reading in readings:
        session.post(f"{API}/readings", json=reading, timeout=10).raise_for_status()
    session.close()
