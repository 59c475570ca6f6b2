"""httplint: a static linter for HTTP-client misuse in Python (requests, httpx, urllib3, aiohttp)."""

__version__ = "0.1.0"
