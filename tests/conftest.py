"""Shared fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

SCHEMA_CACHE = Path.home() / ".cache" / "httplint-tests"
# The OASIS schema, as shipped in the sdist of sarif-pydantic 0.6.2 (fetched with pip, not vendored).
SCHEMA_SDIST = "sarif-pydantic==0.6.2"


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    target = SCHEMA_CACHE / "sarif-schema-2.1.0.json"
    if not target.exists():
        SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "-d", str(SCHEMA_CACHE), SCHEMA_SDIST],
            check=True, capture_output=True,
        )
        sdist = next(SCHEMA_CACHE.glob("sarif_pydantic-0.6.2.tar.gz"))
        with tarfile.open(sdist) as archive:
            member = archive.getmember("sarif_pydantic-0.6.2/sarif-schema-2.1.0.json")
            target.write_bytes(archive.extractfile(member).read())
    schema = json.loads(target.read_text())
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema



#: fixture files are samples to lint (some named like tests), not tests to run
collect_ignore_glob = ["fixtures/*"]
