"""Shared fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import pypi_unreachable

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema, shipped as test data (``tests/data/README.md``)."""
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


@pytest.fixture(scope="session")
def needs_pypi() -> None:
    """Skip, with the reason, when the package index cannot be reached (the test installs or downloads)."""
    reason = pypi_unreachable()
    if reason:
        pytest.skip(f"PyPI unreachable: {reason}")


#: fixture files are samples to lint (some named like tests), not tests to run
collect_ignore_glob = ["fixtures/*"]
