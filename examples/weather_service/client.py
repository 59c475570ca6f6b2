"""The correct version: one shared session, timeouts, responses closed on every path."""
from __future__ import annotations

import contextlib

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

API = "https://api.weather.example.com"


def make_session() -> requests.Session:
    """A session with retries, built once and shared (the caller closes it)."""
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))
    session.headers["User-Agent"] = "weather-service/1.0"
    return session


class WeatherClient:
    def __init__(self, session: requests.Session | None = None) -> None:
        self._owns_session = session is None
        self._session = session or make_session()

    def forecast(self, city: str) -> dict:
        response = self._session.get(f"{API}/forecast", params={"q": city}, timeout=10)
        response.raise_for_status()
        return response.json()

    def forecasts(self, cities: list[str]) -> dict[str, dict]:
        return {city: self.forecast(city) for city in cities}

    def download_radar(self, region: str, path: str) -> None:
        with self._session.get(f"{API}/radar/{region}", stream=True, timeout=30) as response:
            response.raise_for_status()
            with open(path, "wb") as out:
                for chunk in response.iter_content(1 << 16):
                    out.write(chunk)

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> WeatherClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def all_forecasts(cities: list[str]) -> dict[str, dict]:
    with contextlib.closing(WeatherClient()) as client:
        return client.forecasts(cities)
