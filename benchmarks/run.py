"""The speed benchmark: httplint against the linters a user would pick instead, on the same files.

    pip install -e '.[bench]' && python benchmarks/run.py            # 3 runs each, medians
    python benchmarks/run.py --runs 1 --quick                         # one run, no pylint -j1
                                                                      # (head-to-head rows: --pairs 3)
    python benchmarks/run.py --corpus wheel                           # the installed code only

It downloads the pinned corpus (benchmarks/corpus.txt: 36 PyPI packages) into
~/.cache/httplint-bench/ ($HTTPLINT_BENCH_CACHE; outside the repository, whose .gitignore
would hide it from every tool): by default as source distributions, tests included
(`pip download --no-deps --no-binary :all:`, unpacked, nothing built: users lint whole
repositories), or as wheels (`--corpus wheel`, the installed code only), and times, with
`/usr/bin/time`-style accounting of the whole process (wall, user+system CPU of the process
and its children, peak RSS of the largest process):

- httplint check, whole corpus: cold (`--no-cache`, default `-j`), warm (cache primed);
  `--fix --unsafe-fixes --diff` on the HTTP subset; cold on a quarter and a half of the corpus;
- the floor under the cold run (`benchmarks/floor.py`: httplint's walk, reading and prefiltering
  every file, `ast.parse` of those that pass, nothing else), whole corpus;
- ruff `--select S113,ASYNC` and `--select ALL` (whole corpus, HTTP subset, quarter, half);
- pylint `--enable=missing-timeout,consider-using-with` (-j1, -j2), bandit `-t B113`,
  flake8 with flake8-async (`--select ASYNC`), on the HTTP subset (they take minutes on it);
- flake8 -j2 with its default plugins and flake8-bugbear, with httplint's plugin and without
  it (`benchmarks/flake8_without_httplint.py` leaves plugins out of flake8's discovery;
  flake8-async, slow, is left out of these rows), and with it but no HTL code selected, on
  the HTTP subset; the plugin's rows start with its cache (`.httplint_cache/files/`) empty,
  but one, which starts with the findings of a run just before (a re-run of unchanged files);
- ruff warm (its cache primed) beside httplint's warm run.

The head-to-head rows (httplint, its floor and ruff on the whole corpus, cold and warm; the
four flake8 rows) are measured in turn, ``--pairs`` times (default 3, at least ``--runs``), and
each row reports its median: this machine's speed drifts by about 10% over minutes, which
single runs taken one after the other would report as a difference.

The findings of httplint's cold run are counted and hashed into the results; when the
previous results file has another hash for the same corpus, the run says so (a speed-up
must not change what is found).

The HTTP subset is every file with an import statement of requests, httpx, urllib3 or aiohttp.
Results: benchmarks/results/benchmark.json and .md (with the machine), and scaling.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Outside the repository: inside it, .gitignore would hide the corpus from every tool.
CACHE = Path(os.environ.get("HTTPLINT_BENCH_CACHE", Path.home() / ".cache" / "httplint-bench"))
RESULTS = HERE / "results"
HTTP_IMPORT = re.compile(rb"^[ \t]*(?:from|import)[ \t][^\n]*\b(?:requests|httpx|urllib3|aiohttp)\b", re.M)


def pins() -> list[str]:
    return [line.strip() for line in (HERE / "corpus.txt").read_text().splitlines() if line.strip()]


def download_sdists() -> Path:
    """The unpacked source-distribution corpus: <cache>/sdist-corpus/<name-version>/..."""
    import tarfile

    archives, corpus = CACHE / "sdists", CACHE / "sdist-corpus"
    archives.mkdir(parents=True, exist_ok=True)

    def archive_of(pin: str) -> Path | None:
        name, version = pin.split("==")
        stems = {f"{spelling}-{version}" for spelling in
                 (name, name.replace("-", "_"), name.lower(), name.lower().replace("-", "_"))}
        return next((a for a in sorted(archives.iterdir())
                     if a.name.removesuffix(".tar.gz").removesuffix(".zip") in stems), None)

    missing = [p for p in pins() if archive_of(p) is None]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "-d", str(archives), *missing], check=True)
    for pin in pins():
        archive = archive_of(pin)
        if archive is None:
            raise SystemExit(f"no source distribution of {pin} was downloaded")
        target = corpus / archive.name.removesuffix(".tar.gz").removesuffix(".zip")
        if target.exists():
            continue
        target.mkdir(parents=True)
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as handle:
                handle.extractall(target)
        else:
            with tarfile.open(archive) as handle:
                handle.extractall(target, filter="data")
    return corpus


def findings_digest(httplint: list[str], folder: Path, env: dict) -> dict:
    """How many findings httplint's cold run reports on ``folder``, and a hash of them all."""
    import hashlib

    out = subprocess.run([*httplint, "--no-cache", "--exit-zero", "--output-format", "json", "."], cwd=folder,
                         capture_output=True, text=True, env=env)
    found = sorted(f"{d['path']}:{d['line']}:{d['column']}:{d['code']}" for d in json.loads(out.stdout or "[]"))
    return {"count": len(found), "sha256": hashlib.sha256("\n".join(found).encode()).hexdigest()}


def download() -> Path:
    """The unpacked corpus: benchmarks/.cache/corpus/<wheel name>/..."""
    wheels, corpus = CACHE / "wheels", CACHE / "corpus"
    wheels.mkdir(parents=True, exist_ok=True)
    missing = [p for p in pins() if not any(wheels.glob(p.split("==")[0].replace("-", "_") + "-*.whl"))
               and not any(wheels.glob(p.split("==")[0] + "-*.whl"))]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                        "-d", str(wheels), *missing], check=True)
    for wheel in sorted(wheels.glob("*.whl")):
        target = corpus / wheel.stem
        if not target.exists():
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)
    return corpus


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def subset(corpus: Path, name: str, files: list[Path]) -> Path:
    """A folder of hard links to ``files`` (so every tool sees the same paths)."""
    target = CACHE / name
    if target.exists():
        shutil.rmtree(target)
    for path in files:
        link = target / path.relative_to(corpus)
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, link)
        except OSError:
            shutil.copy2(path, link)
    return target


def measure(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Wall and CPU seconds and peak RSS (MiB) of one run of ``command`` and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    wrapped = ["/usr/bin/time", "-f", "%M", *command] if Path("/usr/bin/time").exists() else command
    result = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = None
    lines = result.stderr.strip().splitlines()
    if wrapped is not command and lines and lines[-1].isdigit():
        peak = int(lines[-1]) / 1024
    return {"wall": wall, "cpu": cpu, "peak_mib": peak, "returncode": result.returncode}


def compile_tools(py: str, env: dict) -> None:
    """Byte-compile httplint and the peers' packages (idempotent; pip does this at install)."""
    import importlib.util

    for name in ("httplint", "pylint", "astroid", "bandit", "flake8", "flake8_async", "libcst", "pathspec", "rich"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                subprocess.run([py, "-m", "compileall", "-q", location], env=env, capture_output=True)


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in runs if r[key] is not None) if any(r[key] is not None for r in runs)
            else None for key in ("wall", "cpu", "peak_mib")}


def tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=3,
                        help="runs of each head-to-head comparison (httplint and ruff cold, warm; flake8 with and "
                             "without the plugin), taken in turn so that the machine's drift hits both alike")
    parser.add_argument("--quick", action="store_true", help="skip pylint -j1 and the scaling sizes")
    parser.add_argument("--corpus", choices=("sdist", "wheel"), default="sdist",
                        help="source distributions with tests (default), or wheels")
    args = parser.parse_args(argv)
    from importlib.metadata import PackageNotFoundError, version

    for tool in ("ruff", "pylint", "bandit", "flake8", "flake8-async", "flake8-bugbear"):
        try:
            version(tool)
        except PackageNotFoundError:  # a row would silently measure something else (flake8 without bugbear)
            raise SystemExit(f"{tool} is not installed: pip install -e '.[bench]'") from None
    corpus = download_sdists() if args.corpus == "sdist" else download()
    files = python_files(corpus)
    http_files = [p for p in files if HTTP_IMPORT.search(p.read_bytes())]
    lines = {p: p.read_bytes().count(b"\n") for p in files}
    quarter = subset(corpus, "quarter", files[: len(files) // 4])
    half = subset(corpus, "half", files[: len(files) // 2])
    http = subset(corpus, "http-subset", http_files)
    in_place = [str(p.relative_to(corpus)) for p in http_files]
    sizes = {
        "whole corpus": (corpus, len(files), sum(lines.values())),
        "HTTP files in place": (corpus, len(http_files), sum(lines[p] for p in http_files)),
        "HTTP subset": (http, len(http_files), sum(lines[p] for p in http_files)),
        "quarter": (quarter, len(files) // 4, sum(lines[p] for p in files[: len(files) // 4])),
        "half": (half, len(files) // 2, sum(lines[p] for p in files[: len(files) // 2])),
    }
    py = sys.executable
    bindir = Path(py).parent
    # Every tool runs from bytecode, as pip installs it (an editable or PYTHONDONTWRITEBYTECODE
    # setup would otherwise compile each module on every run).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    compile_tools(py, env)
    httplint = [str(bindir / "httplint")]
    jobs: list[tuple[str, str, list[str], bool]] = [
        # (label, corpus size, command, cold: remove .httplint_cache first)
        ("httplint (cold)", "whole corpus", [*httplint, "--no-cache", "--exit-zero", "."], True),
        ("httplint (warm cache)", "whole corpus", [*httplint, "--exit-zero", "."], False),
        ("floor: walk, read, prefilter, parse", "whole corpus", [py, str(HERE / "floor.py"), "."], True),
        ("ruff --select S113,ASYNC", "whole corpus",
         [str(bindir / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "--select", "S113,ASYNC", "."], True),
        ("ruff --select ALL", "whole corpus",
         [str(bindir / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "--select", "ALL", "."], True),
        ("httplint (cold)", "HTTP subset", [*httplint, "--no-cache", "--exit-zero", "."], True),
        ("httplint --fix --unsafe-fixes --diff", "HTTP subset",
         [*httplint, "--no-cache", "--exit-zero", "--fix", "--unsafe-fixes", "--diff", "."], True),
        ("ruff --select S113,ASYNC", "HTTP subset",
         [str(bindir / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "--select", "S113,ASYNC", "."], True),
        ("ruff --select ALL", "HTTP subset",
         [str(bindir / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "--select", "ALL", "."], True),
        ("pylint missing-timeout,consider-using-with -j2", "HTTP subset",
         [py, "-m", "pylint", "-j2", "--disable=all", "--enable=missing-timeout,consider-using-with", "--exit-zero",
          "."], True),
        ("bandit -t B113", "HTTP subset", [py, "-m", "bandit", "-q", "-r", "-t", "B113", "."], True),
        ("flake8 + flake8-async --select ASYNC", "HTTP subset",
         [py, "-m", "flake8", "--isolated", "--select", "ASYNC", "--exit-zero", "."], True),
        ("ruff --select S113,ASYNC (warm cache)", "whole corpus",
         [str(bindir / "ruff"), "check", "--isolated", "--exit-zero", "--select", "S113,ASYNC", "."], False),
        # flake8 with its default plugins and flake8-bugbear (flake8-async, slow, left out of these),
        # on the HTTP-importing files where they lie in the corpus: the plugin sees whole packages
        ("flake8 -j2 + bugbear, with httplint", "HTTP files in place",
         ["env", "HTTPLINT_BENCH_SKIP=flake8-async", py, str(HERE / "flake8_without_httplint.py"), "--isolated",
          "-j2", "--exit-zero", *in_place], True),
        ("flake8 -j2 + bugbear, with httplint (warm cache)", "HTTP files in place",
         ["env", "HTTPLINT_BENCH_SKIP=flake8-async", py, str(HERE / "flake8_without_httplint.py"), "--isolated",
          "-j2", "--exit-zero", *in_place], False),
        ("flake8 -j2 + bugbear, without httplint", "HTTP files in place",
         ["env", "HTTPLINT_BENCH_SKIP=flake8-async,httpclint", py, str(HERE / "flake8_without_httplint.py"),
          "--isolated", "-j2", "--exit-zero", *in_place], True),
        ("flake8 -j2 + bugbear, with httplint, HTL not selected", "HTTP files in place",
         ["env", "HTTPLINT_BENCH_SKIP=flake8-async", py, str(HERE / "flake8_without_httplint.py"), "--isolated",
          "-j2", "--exit-zero", "--select", "E,F,W,C,B", *in_place], True),
    ]
    if not args.quick:
        jobs.append(("pylint missing-timeout,consider-using-with -j1", "HTTP subset",
                     [py, "-m", "pylint", "-j1", "--disable=all", "--enable=missing-timeout,consider-using-with",
                      "--exit-zero", "."], True))
        for size in ("quarter", "half"):
            jobs.append(("httplint (cold)", size, [*httplint, "--no-cache", "--exit-zero", "."], True))
            jobs.append(("ruff --select S113,ASYNC", size,
                         [str(bindir / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "--select",
                          "S113,ASYNC", "."], True))
    # Head-to-head rows are measured in turn (A, B, A, B, ...), median of each: a machine whose
    # speed drifts by 10% over minutes would otherwise decide a 10% comparison.
    groups = {
        ("httplint (cold)", "whole corpus"): "cold", ("ruff --select S113,ASYNC", "whole corpus"): "cold",
        ("floor: walk, read, prefilter, parse", "whole corpus"): "cold",
        ("httplint (warm cache)", "whole corpus"): "warm",
        ("ruff --select S113,ASYNC (warm cache)", "whole corpus"): "warm",
        **{(label, "HTTP files in place"): "flake8" for label, size, _, _ in jobs if size == "HTTP files in place"},
    }
    rows = []
    done: set[str] = set()
    for label, size, command, cold in jobs:
        group = groups.get((label, size))
        if group in done:
            continue
        members = [job for job in jobs if groups.get((job[0], job[1])) == group] if group else [
            (label, size, command, cold)]
        count = max(args.runs, args.pairs) if group else args.runs
        runs: dict[tuple[str, str], list[dict]] = {(m[0], m[1]): [] for m in members}
        for _ in range(count):
            for m_label, m_size, m_command, m_cold in members:
                folder = sizes[m_size][0]
                if m_cold:
                    shutil.rmtree(folder / ".httplint_cache", ignore_errors=True)
                else:
                    subprocess.run(m_command, cwd=folder, capture_output=True, env=env)  # prime the cache
                runs[(m_label, m_size)].append(measure(m_command, folder, env))
        if group:
            done.add(group)
        for (m_label, m_size), measured in runs.items():
            result = median_of(measured)
            rows.append({"tool": m_label, "corpus": m_size, "files": sizes[m_size][1], "lines": sizes[m_size][2],
                         **result, "runs": len(measured), "returncodes": sorted({r["returncode"] for r in measured})})
            print(f"{m_label:50} {m_size:13} wall {result['wall']:7.2f} s  cpu {result['cpu']:7.2f} s  "
                  f"peak {result['peak_mib'] or 0:7.1f} MiB  ({len(measured)} runs)", flush=True)
    digest = {"corpus": args.corpus, **findings_digest(httplint, corpus, env)}
    previous = RESULTS / "benchmark.json"
    if previous.exists():
        before = json.loads(previous.read_text()).get("findings") or {}
        if before.get("corpus") == args.corpus and before.get("sha256") not in (None, digest["sha256"]):
            print(f"findings changed since the last run: {before.get('count')} -> {digest['count']}", flush=True)
    print(f"httplint findings on the whole corpus: {digest['count']} (sha256 {digest['sha256'][:12]})", flush=True)
    write_results(rows, args, digest)
    return 0


def write_results(rows: list[dict], args, digest: dict | None = None) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "httplint": tool_version([str(Path(sys.executable).parent / "httplint"), "--version"]),
        "ruff": tool_version([str(Path(sys.executable).parent / "ruff"), "--version"]),
        "pylint": tool_version([sys.executable, "-m", "pylint", "--version"]),
        "bandit": tool_version([sys.executable, "-m", "bandit", "--version"]),
        "flake8": tool_version([sys.executable, "-m", "flake8", "--version"]),
        "runs": args.runs,
        "pairs": max(args.runs, args.pairs),
        "corpus": args.corpus,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    (RESULTS / "benchmark.json").write_text(
        json.dumps({"machine": machine, "findings": digest, "rows": rows}, indent=2) + "\n")
    lines = ["# httplint benchmark", "", "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()), "",
             "| tool | corpus | files | lines | runs | wall s | CPU s | peak MiB | lines/s | wall vs httplint |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    if digest:
        lines[4:4] = [f"httplint findings on the whole corpus: {digest['count']} (sha256 {digest['sha256'][:12]})", ""]
    reference = {r["corpus"]: r["wall"] for r in rows if r["tool"] == "httplint (cold)"}
    for r in rows:
        ratio = r["wall"] / reference[r["corpus"]] if r["corpus"] in reference and reference[r["corpus"]] else None
        lines.append(
            f"| {r['tool']} | {r['corpus']} | {r['files']} | {r['lines']} | {r.get('runs', '-')} | {r['wall']:.2f} | "
            f"{r['cpu']:.2f} | "
            f"{(r['peak_mib'] or 0):.0f} | {r['lines'] / r['wall']:,.0f} | {f'{ratio:.2f}x' if ratio else '-'} |"
        )
    (RESULTS / "benchmark.md").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        order = {"quarter": 0, "half": 1, "whole corpus": 2}
        figure, axis = plt.subplots(figsize=(6, 4))
        for tool in ("httplint (cold)", "ruff --select S113,ASYNC"):
            points = sorted((r["lines"], r["wall"]) for r in rows if r["tool"] == tool and r["corpus"] in order)
            if points:
                axis.plot([p[0] / 1e6 for p in points], [p[1] for p in points], marker="o", label=tool)
        axis.set_xlabel("corpus size (million lines)")
        axis.set_ylabel("wall time (s)")
        axis.set_title("Cost against corpus size (quarter, half, all)")
        axis.legend()
        figure.tight_layout()
        figure.savefig(RESULTS / "scaling.png", dpi=100)
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
