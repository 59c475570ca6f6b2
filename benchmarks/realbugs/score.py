"""Score httplint on real bugs that upstream projects fixed.

Each case in ``benchmarks/realbugs/cases/*.toml`` names a PyPI package, the last release
with a bug and the first release with its fix, the file and the function (qualified name)
that hold the bad site, and the httplint codes that are a rule *about* that defect. For
every case this script downloads both releases (``pip download --no-deps``, into
``~/.cache/httplint-bench/realbugs/``; the network is needed only for releases not yet
there; files come from PyPI's simple index, nothing is built), runs httplint on each unpacked release, and reports:

- **flagged**: the bad release has a finding with one of the case's codes inside the
  function (its line range in the bad release);
- **fixed silent**: the fixed release has no finding with those codes inside the same
  function (true also when the fix removed the function).

Usage::

    python benchmarks/realbugs/score.py                 # every case; writes results.md / results.json
    python benchmarks/realbugs/score.py --case ID ...   # some cases only, printed, nothing written
    python benchmarks/realbugs/score.py --check         # validate the manifest only (no network)

Exit status 0 (this is a report, not a gate).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("HTTPLINT_BENCH_CACHE", Path.home() / ".cache" / "httplint-bench")) / "realbugs"
KINDS = ("per-call", "class-owned", "default-arg", "stream", "aiohttp-close", "loop", "timeout")
FIELDS = ("id", "package", "bad", "fixed", "dist", "file", "function", "line", "codes", "kind", "source", "note",
          "fixed_expect")
OPTIONAL = ("note", "fixed_expect")


@dataclass
class Case:
    id: str
    package: str
    bad: str
    fixed: str
    dist: str
    file: str
    function: str
    line: int
    codes: list[str]
    kind: str
    source: str
    note: str = ""
    #: codes still right in the fixed release, because the upstream fix was partial (a close
    #: on the normal path only: HTL105); reported, not counted against silence
    fixed_expect: list[str] = field(default_factory=list)


def load_cases(folder: Path = HERE / "cases") -> list[Case]:
    """Every case of every ``*.toml`` in ``folder``; ``ValueError`` names a malformed one."""
    cases: list[Case] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.toml")):
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        for raw in data.get("case", []):
            missing = [f for f in FIELDS if f not in raw and f not in OPTIONAL]
            if missing:
                raise ValueError(f"{path.name}: case {raw.get('id')!r} lacks {', '.join(missing)}")
            unknown = set(raw) - set(FIELDS)
            if unknown:
                raise ValueError(f"{path.name}: case {raw['id']!r} has unknown keys {sorted(unknown)}")
            case = Case(**raw)
            if case.id in seen:
                raise ValueError(f"{path.name}: duplicate case id {case.id!r}")
            if case.kind not in KINDS:
                raise ValueError(f"{path.name}: case {case.id!r}: kind {case.kind!r} not one of {KINDS}")
            if case.dist not in ("sdist", "wheel"):
                raise ValueError(f"{path.name}: case {case.id!r}: dist must be sdist or wheel")
            seen.add(case.id)
            cases.append(case)
    return cases


SIMPLE = os.environ.get("HTTPLINT_BENCH_INDEX", "https://pypi.org/simple")


def release_file(package: str, version: str, dist: str) -> tuple[str, str]:
    """``(filename, url)`` of the release's sdist or (pure) wheel, from PyPI's simple JSON index
    (PEP 691). ``LookupError`` when the release has no such file."""
    request = urllib.request.Request(f"{SIMPLE}/{package}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    normal = re.sub(r"[-_.]+", "_", package).lower()
    for entry in files:
        name = entry["filename"]
        stem = re.sub(r"[-_.]+", "_", name).lower()
        if dist == "sdist" and name.endswith((".tar.gz", ".zip", ".tar.bz2")):
            if re.sub(r"[-_.]+", "_", name.rsplit(".tar", 1)[0].rsplit(".zip", 1)[0]).lower() == f"{normal}_{re.sub(r'[-_.]+', '_', version)}":
                return name, entry["url"]
        elif dist == "wheel" and name.endswith(".whl") and stem.startswith(f"{normal}_{re.sub(r'[-_.]+', '_', version)}_"):
            return name, entry["url"]
    raise LookupError(f"no {dist} of {package} {version} on the index")


def release_folder(package: str, version: str, dist: str) -> Path:
    """The unpacked release (downloaded once into the cache)."""
    target = CACHE / f"{package}-{version}-{dist}"
    if (target / ".unpacked").exists():
        return target
    download = CACHE / "downloads"
    download.mkdir(parents=True, exist_ok=True)
    try:
        name, url = release_file(package, version, dist)
    except LookupError:
        # some releases ship one kind only; the module paths are the same in both
        name, url = release_file(package, version, "wheel" if dist == "sdist" else "sdist")
    archive = download / name
    if not archive.exists():
        with urllib.request.urlopen(url, timeout=120) as response:
            partial = archive.with_name(archive.name + ".part")
            partial.write_bytes(response.read())
            partial.replace(archive)
    target.mkdir(parents=True, exist_ok=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(target)
    else:
        with tarfile.open(archive) as tarred:
            tarred.extractall(target, filter="data")
    (target / ".unpacked").touch()
    return target


def find_file(root: Path, relative: str) -> Path | None:
    """The file under ``root`` whose path ends with ``relative`` (sdists add ``pkg-1.0/`` and ``src/``)."""
    parts = Path(relative).parts
    matches = [p for p in root.rglob(parts[-1]) if p.parts[-len(parts):] == parts]
    matches.sort(key=lambda p: len(p.parts))
    return matches[0] if matches else None


def function_range(path: Path, qualified: str) -> tuple[int, int] | None:
    """First and last line of the ``def``/``class`` named ``qualified`` (``A.b``), or the
    whole file for ``<module>``; ``None`` when it is not there."""
    source = path.read_bytes()
    tree = ast.parse(source)
    if qualified == "<module>":
        return 1, source.count(b"\n") + 1
    body: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    for name in qualified.split("."):
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.name == name), None)
        if node is None:
            return None
        body = node.body  # type: ignore[attr-defined]
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[union-attr]
    return first, node.end_lineno  # type: ignore[union-attr]


_FINDINGS: dict[Path, list[dict]] = {}


def findings(root: Path) -> list[dict]:
    """httplint's findings (every rule) on an unpacked release, paths absolute."""
    if root not in _FINDINGS:
        completed = subprocess.run(
            [sys.executable, "-m", "httplint", "--no-cache", "--select", "ALL", "--exit-zero", "--format", "json", "."],
            cwd=root, capture_output=True, text=True, check=False,
        )
        try:
            rows = json.loads(completed.stdout)
        except json.JSONDecodeError:
            raise RuntimeError(f"httplint failed on {root}: {completed.stderr[-500:]}") from None
        for row in rows:
            row["path"] = str((root / row["path"]).resolve())
        _FINDINGS[root] = rows
    return _FINDINGS[root]


def accepted_codes(codes: list[str]) -> set[str]:
    """The case's codes and the rules that report the same defect in their place (one cause,
    one finding: HTL102 tells a single-request client's leak, HTL104, and says "never closed")."""
    from httplint.rules import RULES

    return set(codes) | {code for code, rule in RULES.items() if rule.subsumes & set(codes)}


def site_findings(root: Path, case: Case) -> tuple[list[dict], bool]:
    """Findings with the case's codes inside its function, and whether the function exists."""
    path = find_file(root, case.file)
    if path is None:
        return [], False
    span = function_range(path, case.function)
    if span is None:
        return [], False
    resolved = str(path.resolve())
    codes = accepted_codes(case.codes)
    rows = [r for r in findings(root) if r["path"] == resolved and span[0] <= r["line"] <= span[1]
            and (r["code"] in case.codes or (r["code"] in codes and "never closed" in r["message"]))]
    return rows, True


def score(case: Case) -> dict:
    row = {"id": case.id, "package": case.package, "kind": case.kind, "codes": case.codes}
    try:
        bad_root = release_folder(case.package, case.bad, case.dist)
        fixed_root = release_folder(case.package, case.fixed, case.dist)
    except (OSError, LookupError, tarfile.TarError, zipfile.BadZipFile) as error:
        row["error"] = f"download failed: {error}"
        return row
    bad, exists = site_findings(bad_root, case)
    if not exists:
        row["error"] = f"{case.file}:{case.function} not found in {case.bad}"
        return row
    fixed, _ = site_findings(fixed_root, case)
    partial = [r for r in fixed if r["code"] in case.fixed_expect]
    fixed = [r for r in fixed if r["code"] not in case.fixed_expect]
    row["partial_fix_findings"] = [f"{r['line']}: {r['code']} {r['message']}" for r in partial]
    row["flagged"] = bool(bad)
    row["bad_findings"] = [f"{r['line']}: {r['code']} {r['message']}" for r in bad]
    row["fixed_silent"] = not fixed
    row["fixed_findings"] = [f"{r['line']}: {r['code']} {r['message']}" for r in fixed]
    return row


def report(rows: list[dict]) -> str:
    scored = [r for r in rows if "error" not in r]
    flagged = sum(r["flagged"] for r in scored)
    silent = sum(r["fixed_silent"] for r in scored)
    packages = len({r["package"] for r in rows})
    lines = [
        "# Real-bug benchmark",
        "",
        f"{len(rows)} cases from {packages} packages; {len(scored)} scored.",
        "",
        f"- bad sites flagged by a rule about the defect: **{flagged} / {len(scored)}**"
        f" ({100 * flagged / max(len(scored), 1):.0f}%)",
        f"- fixed releases with a finding at the site: **{len(scored) - silent}**"
        f" (besides {sum(bool(r['partial_fix_findings']) for r in scored)} whose upstream fix was partial and is"
        " still flagged for what it left, as `fixed_expect` says)",
        "",
        "| case | kind | flagged | fixed silent | finding at the bad site |",
        "| --- | --- | :---: | :---: | --- |",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['id']} | {r['kind']} | error | | {r['error']} |")
            continue
        first = r["bad_findings"][0] if r["bad_findings"] else ""
        lines.append(f"| {r['id']} | {r['kind']} | {'yes' if r['flagged'] else 'no'} | "
                     f"{'yes' if r['fixed_silent'] else 'no'} | {first.replace('|', '/')} |")
    by_kind: dict[str, list[int]] = {}
    for r in scored:
        counts = by_kind.setdefault(r["kind"], [0, 0])
        counts[0] += r["flagged"]
        counts[1] += 1
    lines += ["", "| kind | flagged |", "| --- | ---: |"]
    lines += [f"| {kind} | {a} / {b} |" for kind, (a, b) in sorted(by_kind.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", nargs="*", help="score only these case ids (nothing is written)")
    parser.add_argument("--check", action="store_true", help="validate the manifest and exit")
    args = parser.parse_args(argv)
    cases = load_cases()
    if args.check:
        print(f"{len(cases)} cases from {len({c.package for c in cases})} packages: manifest valid")
        return 0
    if args.case:
        cases = [c for c in cases if c.id in set(args.case)]
    rows = []
    for case in cases:
        row = score(case)
        rows.append(row)
        mark = row.get("error") or f"flagged={row['flagged']} fixed_silent={row['fixed_silent']}"
        print(f"{case.id}: {mark}", file=sys.stderr)
        for line in row.get("bad_findings", []):
            print(f"    bad   {line}", file=sys.stderr)
        for line in row.get("fixed_findings", []):
            print(f"    fixed {line}", file=sys.stderr)
    text = report(rows)
    print(text)
    if not args.case:
        (HERE / "results.md").write_text(text)
        (HERE / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
