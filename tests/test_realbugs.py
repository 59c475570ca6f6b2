"""The real-bug benchmark's manifest and scorer (benchmarks/realbugs), without the network."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from httplint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("realbugs_score", ROOT / "benchmarks" / "realbugs" / "score.py")
score = importlib.util.module_from_spec(SPEC)
sys.modules["realbugs_score"] = score
SPEC.loader.exec_module(score)


def test_manifest_is_large_enough_and_weighted_to_leaks() -> None:
    cases = score.load_cases()
    assert len(cases) >= 40
    assert len({c.package for c in cases}) >= 25
    timeouts = [c for c in cases if c.kind == "timeout"]
    assert len(timeouts) <= len(cases) // 4
    for case in cases:
        assert case.codes and set(case.codes) <= set(RULES), case.id
        assert set(case.fixed_expect) <= set(RULES), case.id
        assert case.bad != case.fixed, case.id
        assert case.source.startswith("https://"), case.id


def test_site_findings_scores_the_function_of_the_case(tmp_path: Path) -> None:
    package = tmp_path / "release" / "pkg-1.0" / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "api.py").write_text(
        "import httpx\n\n\n"
        "class Api:\n"
        "    def fetch(self, url):\n"
        "        client = httpx.Client()\n"
        "        return client.get(url).text\n\n"
        "    def other(self, url):\n"
        "        client = httpx.Client()\n"
        "        return client.get(url).text\n"
    )
    case = score.Case(id="x", package="pkg", bad="1.0", fixed="1.1", dist="sdist", file="pkg/api.py",
                      function="Api.fetch", line=6, codes=["HTL104"], kind="per-call", source="https://example.com")
    rows, exists = score.site_findings(tmp_path / "release", case)
    assert exists and [r["line"] for r in rows] == [6]
    other = score.Case(**{**case.__dict__, "function": "Api.missing"})
    assert score.site_findings(tmp_path / "release", other) == ([], False)
    wrong_code = score.Case(**{**case.__dict__, "codes": ["HTL301"]})
    assert score.site_findings(tmp_path / "release", wrong_code)[0] == []
