"""httplint: a static linter for HTTP-client misuse in Python (requests, httpx, urllib3, aiohttp).

Distributed on PyPI as ``httpclint`` (the name ``httplint`` there is an unrelated HTTP-message
linter); the command and the import package are ``httplint``.
"""

#: The one place the version is written: ``pyproject.toml`` reads it (``dynamic = ["version"]``).
__version__ = "0.1.0"
#: The distribution name on PyPI (``pip install httpclint``).
DISTRIBUTION = "httpclint"
#: The project's home: documentation links (SARIF, ``--explain``) and the pre-commit repository.
REPOSITORY = "https://github.com/httpclint/httpclint"
