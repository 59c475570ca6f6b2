"""The flake8 plugin, through real flake8 as a subprocess: parity with the CLI on every fixture,
flake8's own selection, per-file-ignores and noqa, and stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


FIXTURES = Path(__file__).parent / "fixtures"
ALL_FIXTURES = sorted(p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))
FORMAT = "%(row)d:%(col)d:%(code)s %(text)s"


def flake8(*args: str, cwd: Path | None = None, stdin: str | None = None) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", f"--format={FORMAT}", *args],
        capture_output=True, text=True, cwd=cwd, input=stdin, check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


def cli(*args: str, cwd: Path | None = None) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "httplint", "--format", "json", *args],
        capture_output=True, text=True, cwd=cwd, check=False,
    )
    return json.loads(result.stdout)


def test_parity_on_every_fixture() -> None:
    paths = [str(p) for p in ALL_FIXTURES]
    from_cli = sorted(
        f"{r['path']}:{r['line']}:{r['column']}:{r['code']} {r['message']}" for r in cli(*paths)
    )
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "HTL",
         "--format=%(path)s:%(row)d:%(col)d:%(code)s %(text)s", *paths],
        capture_output=True, text=True, check=False,
    )
    from_flake8 = sorted(result.stdout.splitlines())
    assert from_cli == from_flake8
    assert len(from_cli) >= 90


def test_flake8_select_ignore_extend_select(tmp_path: Path) -> None:
    path = FIXTURES / "HTL104.py"
    only = flake8("--select", "HTL104", str(path))
    assert only and all(":HTL104 " in line for line in only)
    assert not any("HTL104" in line for line in flake8("--select", "HTL", "--ignore", "HTL104", str(path)))
    extended = flake8("--select", "E9", "--extend-select", "HTL1", str(path))
    assert any(":HTL104 " in line for line in extended)


def test_flake8_per_file_ignores(tmp_path: Path) -> None:
    path = FIXTURES / "HTL104.py"
    lines = flake8("--select", "HTL", f"--per-file-ignores={path}:HTL104", str(path))
    assert not any("HTL104" in line for line in lines)


def test_flake8_noqa_matches_the_cli() -> None:
    path = FIXTURES / "HTL101.py"
    flake8_lines = flake8("--select", "HTL101", str(path))
    noqa_line = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if "# noqa: HTL101" in line)
    assert not any(line.startswith(f"{noqa_line}:") for line in flake8_lines)
    without = path.read_text().replace("# noqa: HTL101", "")
    assert any(line.startswith(f"{noqa_line}:") for line in flake8("--select", "HTL101", "-", stdin=without))
    assert len(flake8_lines) == len([r for r in cli("--select", "HTL101", str(path))])


def test_flake8_stdin() -> None:
    source = (FIXTURES / "HTL201.py").read_text()
    lines = flake8("--select", "HTL", "--stdin-display-name", "buffer.py", "-", stdin=source)
    assert lines and lines == [f"{r['line']}:{r['column']}:{r['code']} {r['message']}"
                               for r in cli("--select", "HTL", str(FIXTURES / "HTL201.py"))]


def test_flake8_reads_rule_options_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.httplint]\nclient-factories = { "make_session" = "requests.Session" }\n'
    )
    (tmp_path / "m.py").write_text(
        "import requests\n\n\ndef make_session():\n    return requests.Session()\n\n\n"
        "def use(urls):\n    session = make_session()\n    return [session.get(u, timeout=5) for u in urls]\n"
    )
    lines = flake8("--select", "HTL", "m.py", cwd=tmp_path)
    assert lines == [
        "9:15:HTL104 `session` (`requests.Session`, from `make_session()`) is never closed: use `with` or call `.close()`"
    ]


def test_plugin_does_nothing_when_no_htl_code_is_selected(monkeypatch) -> None:
    """``flake8 --select E,F,B``: flake8 would drop every HTL finding, so the plugin does no work."""
    import argparse
    import ast

    from httplint import flake8_plugin, project

    def options(**given):
        names = ("select", "extend_select", "ignore", "extend_ignore", "extended_default_select",
                 "extended_default_ignore")
        defaults = {"extended_default_ignore": [], "extended_default_select": []}
        return argparse.Namespace(**{name: given.get(name, defaults.get(name)) for name in names})

    Plugin = flake8_plugin.Plugin
    monkeypatch.setattr(Plugin, "selected", True)
    calls = []
    monkeypatch.setattr(project.ProjectIndex, "knowledge_for", lambda self, path: calls.append(path))
    source = (FIXTURES / "HTL104.py").read_text()
    Plugin.parse_options(options(select=["E", "F", "B"], extended_default_select=["HTL"]))
    assert Plugin.selected is False
    assert list(Plugin(ast.parse(source), source.splitlines(True), str(FIXTURES / "HTL104.py")).run()) == []
    assert calls == []  # not even the project index
    Plugin.parse_options(options(select=["E"], extend_select=["HTL1"], extended_default_select=["HTL"]))
    assert Plugin.selected is True
    Plugin.parse_options(options(extended_default_select=["HTL", "E"]))  # flake8's default: plugins' codes on
    assert Plugin.selected is True
    Plugin.parse_options(options(select=["HTL"], ignore=["HTL"], extended_default_select=["HTL"]))
    assert Plugin.selected is False


def test_plugin_checks_with_the_collector_off_and_restores_it(monkeypatch) -> None:
    """The plugin runs its check with the cyclic garbage collector off (as the command line does)
    and leaves it as it found it, on or off, also when the check raises."""
    import ast
    import gc

    from httplint import flake8_plugin

    monkeypatch.setattr(flake8_plugin.Plugin, "selected", True)
    monkeypatch.setattr(flake8_plugin.Plugin, "cached", False)  # every run checks
    path = FIXTURES / "HTL104.py"
    source = path.read_text()
    seen = []
    check = flake8_plugin.Plugin._check
    monkeypatch.setattr(flake8_plugin.Plugin, "_check", lambda self: seen.append(gc.isenabled()) or check(self))
    was = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            found = list(flake8_plugin.Plugin(ast.parse(source), source.splitlines(True), str(path)).run())
            assert found and gc.isenabled() is state
        assert seen == [False, False]

        def fail(self):
            raise RuntimeError("boom")

        gc.enable()
        monkeypatch.setattr(flake8_plugin.Plugin, "_check", fail)
        try:
            list(flake8_plugin.Plugin(ast.parse(source), source.splitlines(True), str(path)).run())
        except RuntimeError:
            pass
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def _cache_project(root: Path) -> Path:
    """A package whose use of a factory in another module is flagged (HTL102)."""
    (root / "pyproject.toml").write_text("[tool.httplint]\n")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "factory.py").write_text("import requests\n\n\ndef make():\n    return requests.Session()\n")
    use = root / "pkg" / "use.py"
    use.write_text("from .factory import make\n\n\ndef fetch(url):\n    return make().get(url, timeout=3)\n")
    return use


def test_flake8_keeps_findings_for_the_next_run(tmp_path: Path) -> None:
    """Each file's findings are kept in ``.httplint_cache/files/``; a re-run reads them (shown by an
    entry edited under its own key), and a change to the file, to another module of its package or
    to the configuration makes the plugin check it again."""
    import marshal

    use = _cache_project(tmp_path)
    first = flake8("--select", "HTL", "pkg", cwd=tmp_path)
    assert [line.split(" ", 1)[0] for line in first] == ["5:12:HTL102"]
    entries = tmp_path / ".httplint_cache" / "files"
    assert len(list(entries.iterdir())) == 3  # one per file checked, findings or not
    assert (tmp_path / ".httplint_cache" / ".gitignore").is_file()

    def edit_entries() -> None:
        for entry in entries.iterdir():
            key, findings = marshal.loads(entry.read_bytes())
            if findings:
                entry.write_bytes(marshal.dumps([key, [[5, 11, "HTL102", "from the cache"]]]))

    edit_entries()
    assert flake8("--select", "HTL", "pkg", cwd=tmp_path) == ["5:12:HTL102 from the cache"]
    # another module of the package changes: its facts may have, the entry is not used
    factory = tmp_path / "pkg" / "factory.py"
    factory.write_text(factory.read_text() + "\n")
    assert flake8("--select", "HTL", "pkg", cwd=tmp_path) == first
    edit_entries()
    use.write_text(use.read_text() + "\n")  # the file itself
    assert flake8("--select", "HTL", "pkg", cwd=tmp_path) == first
    edit_entries()
    # the configuration changes (another test-files pattern): the entry is not used
    (tmp_path / "pyproject.toml").write_text('[tool.httplint]\ntest-files = ["nothing/*"]\n')
    assert flake8("--select", "HTL", "pkg", cwd=tmp_path) == first


def test_flake8_cache_can_be_turned_off_and_never_fails(tmp_path: Path) -> None:
    """``--httplint-no-cache`` neither reads nor writes entries; a cache folder that cannot be made
    is no error (the findings are the same)."""
    _cache_project(tmp_path)
    off = flake8("--select", "HTL", "--httplint-no-cache", "pkg", cwd=tmp_path)
    assert len(off) == 1 and not (tmp_path / ".httplint_cache").exists()
    (tmp_path / ".httplint_cache").write_text("a file where the folder would go")
    assert flake8("--select", "HTL", "pkg", cwd=tmp_path) == off
    (tmp_path / ".httplint_cache").unlink()
    (tmp_path / "setup.cfg").write_text("[flake8]\nhttplint-no-cache = true\n")
    result = subprocess.run([sys.executable, "-m", "flake8", f"--format={FORMAT}", "--select", "HTL", "pkg"],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.stdout.splitlines() == off and not (tmp_path / ".httplint_cache").exists()


def test_plugin_holds_one_package_at_a_time(tmp_path: Path, monkeypatch) -> None:
    """When flake8 hands the process a file of another package, the index forgets the package
    before (a process holds one package's models, not every one it has seen); a package that
    comes back is read again, with the same findings."""
    import ast

    from httplint import flake8_plugin, project

    monkeypatch.setattr(flake8_plugin.Plugin, "selected", True)
    monkeypatch.setattr(flake8_plugin.Plugin, "cached", False)
    flake8_plugin._project.cache_clear()
    uses = []
    for name in ("alpha", "beta"):  # two packages of one project (one configuration, one index)
        root = tmp_path / name
        root.mkdir()
        uses.append(_cache_project(root))
        (root / "pyproject.toml").unlink()
    (tmp_path / "pyproject.toml").write_text("[tool.httplint]\n")
    forgotten = []
    forget = project.ProjectIndex.forget
    monkeypatch.setattr(project.ProjectIndex, "forget", lambda self, top: forgotten.append(top.parent.name)
                        or forget(self, top))

    def findings(path: Path) -> list:
        source = path.read_text()
        return list(flake8_plugin.Plugin(ast.parse(source), source.splitlines(True), str(path)).run())

    script = tmp_path / "script.py"  # a loose script, in no package
    script.write_text("import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n")
    first = [findings(path) for path in (script, uses[0], uses[1], script, uses[0])]
    assert forgotten == ["alpha", "beta"]
    assert first[1] == first[4] and first[1] and [f[:3] for f in first[2]] == [f[:3] for f in first[1]]
    assert first[0] == first[3] and first[0][0][2].startswith("HTL301")
    flake8_plugin._project.cache_clear()
