"""Output formats: SARIF validated against the official 2.1.0 schema, GitHub annotations,
statistics, colour rules, and stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from httplint.cli import main
from httplint.report import Summary, use_color, write_text

FIXTURES = Path(__file__).parent / "fixtures"
def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sarif_validates_against_the_schema(capsys, sarif_schema, tmp_path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import requests\nrequests.get(u)\ndef f(:\n")
    code, out, _ = run(capsys, "--format", "sarif", str(FIXTURES / "HTL104.py"), str(FIXTURES / "HTL201.py"), str(broken))
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:2] == ["HTL101", "HTL102"]
    assert all(r["helpUri"].startswith("https://") and "#htl" in r["helpUri"] for r in rules)
    results = run_["results"]
    assert any(r["ruleId"] == "E999" and r["level"] == "error" and "ruleIndex" not in r for r in results)
    first = next(r for r in results if r["ruleId"] == "HTL104")
    assert rules[first["ruleIndex"]]["id"] == "HTL104"
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] > 0


def test_sarif_schema_rejects_a_broken_log(sarif_schema) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"results": []}]}, sarif_schema)


def test_github_annotations(capsys) -> None:
    code, out, _ = run(capsys, "--format", "github", "--select", "HTL103", str(FIXTURES / "HTL103.py"))
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith(f"::warning title=httplint (HTL103),file={FIXTURES}/HTL103.py,line=14,col=13::HTL103 ")
    assert all(line.startswith("::warning ") for line in out.splitlines())


def test_github_escaping(capsys, tmp_path) -> None:
    path = tmp_path / "a,b:c.py"
    path.write_text("import requests\nrequests.get(u)\ndef f(:\n")
    out = run(capsys, "--format", "github", str(path))[1]
    assert "file=" + str(tmp_path).replace(":", "%3A").replace(",", "%2C") + "/a%2Cb%3Ac.py" in out


def test_statistics(capsys) -> None:
    """Most frequent first; ``[*]`` when every finding of the rule has a fix, ``[~]`` when some have."""
    marks = sum("# error: HTL402" in line for line in (FIXTURES / "HTL402.py").read_text().splitlines())
    sample = Path(__file__).resolve().parent.parent / "examples" / "weather_service" / "alerts.py"
    code, out, _ = run(capsys, "--statistics", "--select", "HTL401,HTL402", str(FIXTURES / "HTL402.py"), str(sample))
    lines = out.splitlines()
    assert marks > 1
    assert lines[0].split("\t") == [str(marks), "HTL402", "[~] context-manager-mismatch"]
    assert [part.strip() for part in lines[1].split("\t")] == ["1", "HTL401", "[*] close-not-awaited"]
    assert lines[2] == f"Found {marks + 1} errors."


def test_colour_only_on_a_terminal(monkeypatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Tty()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Tty())
    out = Tty()
    from httplint.rule import Diagnostic

    write_text([Diagnostic("a.py", 1, 0, "HTL104", "client-never-closed", "m")], out, Summary(color=True))
    assert "\x1b[" in out.getvalue() and "a.py:1:1:" in out.getvalue()


def test_piped_output_has_no_colour() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "httplint", str(FIXTURES / "HTL104.py")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1 and "\x1b[" not in result.stdout


def stdin_run(*args: str, source: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "httplint", *args], input=source, capture_output=True, text=True, check=False
    )


def test_stdin_check_uses_the_stdin_filename() -> None:
    source = (FIXTURES / "HTL201.py").read_text()
    result = stdin_run("-", "--stdin-filename", "pkg/streams.py", "--select", "HTL201", source=source)
    assert result.returncode == 1
    assert result.stdout.startswith("pkg/streams.py:21:16: HTL201 [*] Response `response`")


def test_stdin_fix_prints_the_fixed_source() -> None:
    source = "import requests\n\n\ndef f(u):\n    r = requests.get(u, stream=True, timeout=5)\n    return r.headers\n"
    result = stdin_run("-", "--fix", source=source)
    assert result.returncode == 0
    assert result.stdout == source.replace(
        "    r = requests.get(u, stream=True, timeout=5)\n    return r.headers\n",
        "    with requests.get(u, stream=True, timeout=5) as r:\n        return r.headers\n",
    )
    assert "1 fixed, 0 remaining" in result.stderr


def test_stdin_per_file_ignores(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.httplint.per-file-ignores]\n"tests/*" = ["HTL201"]\n')
    source = (FIXTURES / "HTL201.py").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "httplint", "-", "--stdin-filename", "tests/t.py", "--select", "HTL201"],
        input=source, capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0 and "All checks passed!" in result.stdout


def test_exit_zero(capsys) -> None:
    assert run(capsys, str(FIXTURES / "HTL104.py"))[0] == 1
    code, out, _ = run(capsys, "--exit-zero", str(FIXTURES / "HTL104.py"))
    assert code == 0 and "HTL104" in out


def test_progress_bar_on_a_terminal_for_long_runs(capsys, monkeypatch, tmp_path) -> None:
    from httplint import cli

    for index in range(5):
        (tmp_path / f"m{index}.py").write_text("import requests\n")
    calls = []

    class FakeProgress:
        def __init__(self, **kwargs) -> None:
            calls.append(("init", kwargs.get("transient")))

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            calls.append(("exit", None))

        def add_task(self, name, total):
            calls.append(("total", total))
            return 1

        def advance(self, task, advance=1) -> None:  # rich.progress.Progress.advance(task_id, advance)
            calls.append(("advance", advance))

    import rich.progress

    monkeypatch.setattr(rich.progress, "Progress", FakeProgress)
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 3)
    monkeypatch.setattr(cli, "use_color", lambda stream: stream is cli.sys.stderr)
    assert run(capsys, str(tmp_path))[0] == 0
    assert calls[0] == ("init", True) and ("total", 5) in calls
    assert sum(n for what, n in calls if what == "advance") == 5 and calls[-1] == ("exit", None)
    calls.clear()
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 10)
    run(capsys, str(tmp_path))
    assert calls == []


DATA = Path(__file__).parent / "data"


def test_gitlab_report_validates_and_fingerprints_are_unique_and_stable(capsys, tmp_path, monkeypatch) -> None:
    schema = json.loads((DATA / "gitlab-code-quality.schema.json").read_text())
    monkeypatch.chdir(FIXTURES)
    code, out, _ = run(capsys, "--output-format", "gitlab", "--select", "ALL", "--no-cache", "HTL104.py", "HTL301.py")
    issues = json.loads(out)
    jsonschema.validate(issues, schema)
    assert code == 1 and len(issues) > 20
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    # a finding keeps its fingerprint when lines above it move
    (tmp_path / "m.py").write_text("import requests\n\n\ndef f(u):\n    return requests.get(u).text\n")
    monkeypatch.chdir(tmp_path)
    first = json.loads(main_output(capsys, "--output-format", "gitlab", "--no-cache", "m.py"))
    (tmp_path / "m.py").write_text("import requests\n\n# moved\n\ndef f(u):\n    return requests.get(u).text\n")
    second = json.loads(main_output(capsys, "--output-format", "gitlab", "--no-cache", "m.py"))
    assert first[0]["fingerprint"] == second[0]["fingerprint"]
    assert (first[0]["location"]["lines"]["begin"], second[0]["location"]["lines"]["begin"]) == (5, 6)


def main_output(capsys, *argv: str) -> str:
    capsys.readouterr()
    main(list(argv))
    return capsys.readouterr().out


def test_junit_report_reads_back_with_a_consumer(capsys, monkeypatch, tmp_path) -> None:
    from junitparser import Failure, JUnitXml

    monkeypatch.chdir(FIXTURES)
    out = main_output(capsys, "--output-format", "junit", "--select", "ALL", "--no-cache", "HTL104.py", "HTL301.py")
    report = tmp_path / "report.xml"
    report.write_text(out)
    xml = JUnitXml.fromfile(str(report))
    cases = [case for suite in xml for case in suite]
    expected = json.loads(main_output(capsys, "--output-format", "json", "--select", "ALL", "--no-cache",
                                      "HTL104.py", "HTL301.py"))
    assert len(cases) == len(expected) and {suite.name for suite in xml} == {"HTL104.py", "HTL301.py"}
    assert all(isinstance(case.result[0], Failure) for case in cases)
    assert {case.result[0].type for case in cases} == {d["code"] for d in expected}
    # no finding: one passing test case, so CI shows the check ran
    (tmp_path / "clean.py").write_text("import requests\n")
    monkeypatch.chdir(tmp_path)
    clean = tmp_path / "clean.xml"
    clean.write_text(main_output(capsys, "--output-format", "junit", "--no-cache", "clean.py"))
    [suite] = list(JUnitXml.fromfile(str(clean)))
    [case] = list(suite)
    assert case.is_passed and suite.tests == 1


def test_statistics_mark_partly_fixable_rules_and_speak_json(capsys, monkeypatch) -> None:
    monkeypatch.chdir(FIXTURES)
    text = main_output(capsys, "--statistics", "--select", "ALL", "--no-cache", "HTL104.py")
    rows = json.loads(main_output(capsys, "--statistics", "--output-format", "json", "--select", "ALL", "--no-cache",
                                  "HTL104.py"))
    assert rows and all(set(row) == {"code", "name", "count", "fixable_count"} for row in rows)
    for row in rows:
        mark = "[*]" if row["fixable_count"] == row["count"] else "[~]" if row["fixable_count"] else "[ ]"
        assert f"\t{row['code']}\t{mark} {row['name']}" in text
    unsafe = json.loads(main_output(capsys, "--statistics", "--output-format", "json", "--unsafe-fixes",
                                    "--select", "ALL", "--no-cache", "HTL104.py"))
    [htl104] = [row for row in unsafe if row["code"] == "HTL104"]
    assert 0 < htl104["fixable_count"] < htl104["count"] and "\tHTL104\t[~] client-never-closed" in main_output(
        capsys, "--statistics", "--unsafe-fixes", "--select", "ALL", "--no-cache", "HTL104.py")


def test_quiet_show_files_and_singular_summaries(capsys, tmp_path, monkeypatch) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "one.py").write_text("import requests\n\n\ndef f(u):\n    return requests.get(u).text\n")
    (tmp_path / "pkg" / "notes.txt").write_text("")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.py").write_text("")
    monkeypatch.chdir(tmp_path)
    out = main_output(capsys, "--no-cache", ".")
    assert out.startswith("pkg/one.py:5:12: HTL301") and "Found 1 error.\n" in out
    assert "1 hidden fix can be enabled" in out
    assert "./pkg" not in out  # paths as the user writes them
    quiet = main_output(capsys, "-q", "--no-cache", ".")
    assert quiet.splitlines() == [line for line in out.splitlines() if line.startswith("pkg/")]
    assert main_output(capsys, "--show-files", ".") == "pkg/one.py\n"
    code = main(["--diff", "--unsafe-fixes", "--no-cache", "."])
    captured = capsys.readouterr()
    assert code == 1 and "Would fix 1 error.\n" == captured.err


def test_diff_on_stdin_says_would_fix(tmp_path) -> None:
    source = "import requests\n\n\ndef f(u):\n    return requests.get(u).text\n"
    result = subprocess.run([sys.executable, "-m", "httplint", "-", "--diff", "--unsafe-fixes", "--stdin-filename",
                             "m.py"], input=source, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 1 and result.stdout.startswith("--- m.py") and result.stderr == "Would fix 1 error.\n"
