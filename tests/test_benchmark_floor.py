"""The benchmark's floor row (benchmarks/floor.py): it parses exactly the files that pass the prefilter."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("floor", ROOT / "benchmarks" / "floor.py")
floor = importlib.util.module_from_spec(SPEC)
sys.modules["floor"] = floor  # the forked workers look the function up by this name
SPEC.loader.exec_module(floor)


def test_floor_parses_only_files_that_pass_the_prefilter(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "client.py").write_text("import requests\n\nrequests.get('https://example.com')\n")
    (tmp_path / "plain.py").write_text("import os\n\nprint(os.getcwd())\n")
    (tmp_path / "types_only.py").write_text("import httpx\n\nError = httpx.HTTPError\n")
    (tmp_path / "broken.py").write_text("import requests\n\nrequests.get(\n")  # passes, does not parse
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "venv" / "lib.py").write_text("import requests\nrequests.get('x')\n")  # not walked
    monkeypatch.chdir(tmp_path)
    assert floor.main([".", "-j", "2"]) == 0
    assert capsys.readouterr().err.strip() == "walked 4 files, parsed 1 (0.0 MB)"
