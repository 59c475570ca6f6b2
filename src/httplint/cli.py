"""The command line: ``httplint [PATH ...]``. ``main(argv) -> int`` is what tests call."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, TextIO

from . import DISTRIBUTION, REPOSITORY, __version__
from .config import ConfigError, Settings, SettingsFinder, UsageError, load, selection_key
from .files import Missing, NotPython, iter_python_batches, read_bytes
from .report import FORMATS, Summary, plural, use_color, write_statistics
from .rule import Diagnostic, reading_order

NOTEBOOK_SUFFIX = ".ipynb"  # httplint.notebook.SUFFIX: the module is imported only to check a notebook

if TYPE_CHECKING:
    from .engine import Linter

# The engine and the rules are imported when a run first needs them: one answered wholly from
# the result cache never does (their import is a fifth of a warm run).

#: Runs over this many files show a progress bar on a terminal's stderr.
PROGRESS_THRESHOLD = 200


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="httplint",
        description="Find HTTP-client misuse (requests, httpx, urllib3, aiohttp): leaked clients "
        "and responses, per-request sessions, unsafe releases.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: .); - reads stdin")
    parser.add_argument("--select", action="append", metavar="CODES", help="codes or prefixes to enable (replaces the configuration's)")
    parser.add_argument("--extend-select", action="append", metavar="CODES", help="codes or prefixes to enable in addition")
    parser.add_argument("--ignore", action="append", metavar="CODES", help="codes or prefixes to disable")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    parser.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply (with --fix) or count unsafe fixes")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    parser.add_argument("--show-fixes", action="store_true",
                        help="with --fix or --diff, list each fix applied (what it did, unsafe ones marked)")
    parser.add_argument("--output-format", "--format", dest="format", choices=sorted(FORMATS), default="text",
                        help="output format (default: text; `--format` is an alias)")
    parser.add_argument("--statistics", action="store_true",
                        help="print the number of findings per rule ([*] all fixable, [~] some, [ ] none); "
                             "JSON with --output-format json")
    parser.add_argument("-q", "--quiet", action="store_true", help="print the findings and nothing else")
    parser.add_argument("--show-files", action="store_true", help="print the files that would be checked and exit")
    parser.add_argument("--add-noqa", action="store_true",
                        help="write `# noqa: CODE` on every line with a finding (to adopt httplint on existing code)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                        help="processes to check files with (default: all cores)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write .httplint_cache/")
    parser.add_argument("--config", metavar="PATH", help="a pyproject.toml to read [tool.httplint] from")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the configuration that applies to the first PATH (else the working folder's) and exit")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply exclude patterns to files named on the command line and to --stdin-filename "
                             "(as pre-commit and editors pass file names)")
    parser.add_argument("--stdin-filename", metavar="PATH", help="the name of the file read from stdin (for messages and per-file-ignores)")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation and exit")
    parser.add_argument("--version", action=_Version, nargs=0, help="print the distribution and version, and exit")
    return parser


class _Version(argparse.Action):
    """``--version`` on one line, unwrapped: ``httpclint X.Y.Z (the httplint command of <repository>)``,
    which tells this project from the unrelated ``httplint`` distribution."""

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"{DISTRIBUTION} {__version__} (the httplint command of {REPOSITORY})\n")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    """Run httplint. Returns 0 when clean (or all fixed), 1 on findings or unreadable files, 2 on a
    usage or configuration error. A reader that closes the pipe early (``httplint . | head``)
    ends the run quietly, as other command-line tools do (status 1)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["server"]:  # `httplint server`: a folder named server is `./server`
        return _serve(argv[1:])  # the server owns stdin/stdout (and closes them on exit)
    try:
        status = _main(argv)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python's advice (docs: signal, "Note on SIGPIPE"): point stdout at devnull so that the
        # interpreter's final flush does not fail again, and leave without a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    if args.explain:
        from .docs import render_rule
        from .rules import RULES

        rule = RULES.get(args.explain.strip().upper())
        if rule is None:
            print(f"httplint: error: unknown rule code {args.explain!r}", file=sys.stderr)
            return 2
        sys.stdout.write(render_rule(rule, level=1))
        return 0
    try:
        settings = load(Path(args.config)) if args.config else load(start=Path.cwd())
        finder = SettingsFinder(settings, fixed=bool(args.config))
        linters = _Linters(args.select, args.ignore, args.extend_select)
        if args.show_settings:
            linters.get(settings)  # the selectors are checked
            return _show_settings(args, finder)
        paths = args.paths or ["."]
        if "-" in paths:
            if len(paths) > 1:
                print("httplint: error: `-` (stdin) cannot be combined with other paths", file=sys.stderr)
                return 2
            if args.stdin_filename:
                settings = finder.for_path(args.stdin_filename)
            return _run_stdin(args, linters.get(settings), settings)
        return _run_paths(args, finder, linters, paths)
    except (ConfigError, UsageError) as error:
        print(f"httplint: error: {error}", file=sys.stderr)
        return 2


class _Linters:
    """:class:`httplint.engine.Linters`, made when a run first asks for a linter; the result
    cache's key is worked out without one (:func:`httplint.config.selection_key`)."""

    def __init__(self, select, ignore, extend_select) -> None:
        self.selectors = (select, ignore, extend_select)
        self._made = None

    def get(self, settings: Settings) -> Linter:
        """Raises :class:`UsageError` when a selector matches no rule."""
        if self._made is None:
            from .engine import Linters

            self._made = Linters(*self.selectors)
        return self._made.get(settings)

    def cache_key(self, settings: Settings) -> str:
        return selection_key(settings, *self.selectors)


def _serve(argv: list[str]) -> int:
    """``httplint server``: the language server on stdio (:mod:`httplint.server`)."""
    if argv and argv[0] in ("-h", "--help"):
        print("usage: httplint server\n\nRun the Language Server Protocol server on stdin/stdout "
              "(diagnostics, quick fixes, fix all, disable for this line).")
        return 0
    try:
        from .server import main as serve
    except ImportError as error:
        print(f"httplint: error: the language server needs pygls: pip install 'httpclint[server]' ({error})",
              file=sys.stderr)
        return 2
    return serve()


def _show_settings(args, finder: SettingsFinder) -> int:
    """``--show-settings [FILE]``: the configuration that applies to FILE (else the working
    folder's), and for a file whether it is excluded and whether it is test code."""
    named = [p for p in args.paths if p != "-"] or ([args.stdin_filename] if args.stdin_filename else [])
    if not named:
        sys.stdout.write(finder.fallback.show())
        return 0
    path = named[0]
    settings = finder.for_path(path)
    sys.stdout.write(f"file = {path!r}\n")
    sys.stdout.write(settings.show())
    sys.stdout.write(f"excluded = {'true' if settings.is_excluded(path) else 'false'}\n")
    sys.stdout.write(f"test-file = {'true' if settings.is_test_file(path) else 'false'}\n")
    return 0


def _run_paths(args, finder: SettingsFinder, linters: _Linters, paths: list[str]) -> int:
    diagnostics: list[Diagnostic] = []
    fixing = args.fix or args.diff
    fixed = changed = 0
    run_settings = finder.fallback
    explicit = {p for p in paths if not os.path.isdir(p)}
    groups: dict[Settings, list[str]] = {}
    cache = None
    if fixing or args.show_files:
        linters.get(run_settings)  # the selectors are checked before anything is walked
    if not fixing and not args.show_files and not args.no_cache:
        from .cache import ResultCache

        cache = ResultCache(run_settings.root, linters.cache_key(run_settings))
    # what decides the walk's folder listings, besides the folders themselves
    walk_key = repr((str(run_settings.root), run_settings.exclude, run_settings.extend_exclude))

    def found_batches() -> Iterator[list[str]]:
        """The files to check, a list per folder (settings are looked up once a folder)."""
        for item in iter_python_batches(paths, run_settings.excluded_spec(), str(run_settings.root),
                                        force_exclude=args.force_exclude,
                                        listings=cache.listings(walk_key) if cache is not None else None):
            if isinstance(item, Missing):
                diagnostics.append(
                    Diagnostic(item.path, 1, 0, "E902", "io-error", "FileNotFoundError: No such file or directory")
                )
            elif isinstance(item, NotPython):
                diagnostics.append(Diagnostic(
                    item.path, 1, 0, "E902", "io-error",
                    "not a Python file (no .py/.pyi suffix, no python #! line): skipped",
                ))
            else:
                settings = finder.for_path(item[0])  # the files of a batch share their folder
                if settings is run_settings and not groups:
                    yield item  # the common case, one configuration: handed on as the walk finds it
                    continue
                for path in item:
                    if settings is not run_settings and (path not in explicit or args.force_exclude) \
                            and settings.is_excluded(path):
                        continue  # excluded by the configuration nearest to it
                    groups.setdefault(settings, []).append(path)

    def found_files() -> Iterator[str]:
        for batch in found_batches():
            yield from batch

    applied: list[Diagnostic] = []  # the findings fixed, for --show-fixes
    if args.show_files:
        files = sorted({*found_files(), *(f for group in groups.values() for f in group)})
        sys.stdout.writelines(f"{path}\n" for path in files)
        for d in sorted(diagnostics):
            print(f"{d.path}: {d.message}", file=sys.stderr)
        return 0
    if not fixing:
        diagnostics.extend(_check_files(found_batches(), linters, run_settings, args, cache))
        for settings, files in list(groups.items()):
            diagnostics.extend(_check_files(([path] for path in files), linters, settings, args))
        if args.add_noqa:
            return _add_noqa(diagnostics, args)
    else:
        first = list(found_files())
        work = [(run_settings, first)] if first else []
        work += list(groups.items())
        with _progress(sum(len(files) for _, files in work)) as progress:
            for settings, files in work:
                linter = linters.get(settings)
                unsafe = settings.unsafe_fixes if args.unsafe_fixes is None else args.unsafe_fixes
                for item in files:
                    progress.advance()
                    found, fixed_here, did_change = _fix_file(item, linter, unsafe, args.diff, applied)
                    diagnostics.extend(found)
                    fixed += fixed_here
                    changed += did_change
    diagnostics.sort(key=reading_order)
    if args.show_fixes and applied:
        _write_applied(applied, sys.stderr if args.diff else sys.stdout, args.diff)
    unsafe = run_settings.unsafe_fixes if args.unsafe_fixes is None else args.unsafe_fixes
    if args.diff:
        if not args.quiet:
            print(f"Would fix {plural(fixed, 'error')}.", file=sys.stderr)
        return 1 if changed and not args.exit_zero else 0
    _report(args, diagnostics, Summary(fixed=fixed, unsafe_fixes=unsafe, fixing=args.fix), sys.stdout)
    if args.exit_zero:
        return 0
    return 1 if diagnostics else 0


def _add_noqa(diagnostics: list[Diagnostic], args) -> int:
    """``--add-noqa``: a ``# noqa: CODE`` for every finding of a rule (:func:`httplint.noqa.add_codes`),
    each file rewritten atomically in its own encoding and line endings. Notebooks and files
    that could not be checked are left alone. Running it again adds nothing."""
    import tokenize

    from .codemod import write_atomically
    from .noqa import add_codes
    from .rules import RULES

    by_path: dict[str, dict[int, set[str]]] = {}
    for d in diagnostics:
        if d.code in RULES and d.cell is None:
            by_path.setdefault(d.path, {}).setdefault(d.line, set()).add(d.code)
    added = 0
    for path, codes in sorted(by_path.items()):
        try:
            source = read_bytes(path)
            encoding, _ = tokenize.detect_encoding(iter(source.splitlines(keepends=True)).__next__)
            text = source.decode(encoding)
            new, count = add_codes(text, codes)
            if count:
                write_atomically(path, new.encode(encoding))
                added += count
        except (OSError, SyntaxError, LookupError, UnicodeError) as error:
            print(f"{path}: not changed: {type(error).__name__}: {error}", file=sys.stderr)
    if not args.quiet:
        print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
    return 0


def _run_stdin(args, linter: Linter, settings: Settings) -> int:
    """Check (or fix) the buffer on stdin, as editors send unsaved files. With ``--fix`` the
    fixed source goes to stdout and the findings to stderr. Under ``--force-exclude`` an excluded
    ``--stdin-filename`` is passed through: nothing reported, the source unchanged."""
    from .engine import decode

    name = args.stdin_filename or "-"
    source = sys.stdin.buffer.read()
    unsafe = settings.unsafe_fixes if args.unsafe_fixes is None else args.unsafe_fixes
    if args.force_exclude and args.stdin_filename and settings.is_excluded(name):
        if args.fix and not args.diff:
            sys.stdout.buffer.write(source)
            sys.stdout.flush()
        return 0
    if not (args.fix or args.diff):
        diagnostics = linter.check_source(source, name)
        _report(args, diagnostics, Summary(unsafe_fixes=unsafe), sys.stdout)
        return 0 if args.exit_zero or not diagnostics else 1
    from .codemod import fix_source

    if name.endswith(NOTEBOOK_SUFFIX):
        diagnostics = linter.check_source(source, name)
        if args.diff:
            print("Would fix 0 errors (fixes are not applied to notebooks).", file=sys.stderr)
            return 0
        sys.stdout.buffer.write(source)
        sys.stdout.flush()
        _report(args, diagnostics, Summary(unsafe_fixes=unsafe, fixing=True), sys.stderr)
        return 0 if args.exit_zero or not diagnostics else 1
    knowledge, prefilter, module, is_package = linter.context(name)
    result = fix_source(source, name, linter.rules_for(name), unsafe, knowledge, prefilter, module, is_package,
                        linter.refiner(name))
    new = result.source if result.source is not None else source
    if args.diff:
        if result.source is not None:
            import difflib

            sys.stdout.writelines(
                difflib.unified_diff(
                    decode(source).splitlines(keepends=True), decode(new).splitlines(keepends=True), name, name
                )
            )
        if not args.quiet:
            print(f"Would fix {plural(len(result.fixed), 'error')}.", file=sys.stderr)
        return 1 if result.source is not None and not args.exit_zero else 0
    sys.stdout.buffer.write(new)
    sys.stdout.flush()
    _report(args, result.remaining, Summary(fixed=len(result.fixed), unsafe_fixes=unsafe, fixing=True), sys.stderr)
    return 0 if args.exit_zero or not result.remaining else 1


def _report(args, diagnostics: list[Diagnostic], summary: Summary, out: TextIO) -> None:
    summary.quiet = args.quiet
    if args.statistics:
        write_statistics(diagnostics, out, summary, "json" if args.format == "json" else "text")
        return
    if args.format == "text":
        summary.color = use_color(out)
    FORMATS[args.format](diagnostics, out, summary)


def _check_files(
    batches: Iterable[list[str]], linters: _Linters, settings: Settings, args, cache=None
) -> list[Diagnostic]:
    """Check the files of ``batches`` (lists of files, each list in one folder): cached results
    for unchanged ones, the rest by :mod:`httplint.runner` (without the cache, files are handed
    on as the walk finds them). ``cache``: the :class:`httplint.cache.ResultCache` for
    ``settings``, when already open."""
    from .cache import ResultCache, folders_fingerprint, package_fingerprint, stamps
    from .files import absolute_folder, inside_walk, top_of_folder

    if cache is None and not args.no_cache:
        cache = ResultCache(settings.root, linters.cache_key(settings))
    walked = [path for path in (args.paths or ["."]) if os.path.isdir(path)]
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    if cache is None:
        from .runner import check_files

        linter = linters.get(settings)
        with _progress(None) as progress:
            results = check_files((path for batch in batches for path in batch), linter, jobs, False, progress, walked)
        return [d for diagnostics, _ in results.values() for d in diagnostics]
    # one stat a file, for the cache entry and for the fingerprint of its package; what depends
    # on the folder (absolute path, package), once a folder; the cache compares a folder at once
    folders: list[tuple[str, list[str], list[str], list, bytes | None, object]] = []
    by_package: dict[object, list[tuple[str, list[str], bytes | None]]] = {}
    stat = os.stat
    for batch in batches:
        folder = os.path.dirname(batch[0])
        full_folder = absolute_folder(folder)
        top = top_of_folder(full_folder)
        # the files of a batch are `folder/name` (the walk joins them so): the name by slicing
        cut = len(folder) + 1 if folder and not folder.endswith(os.sep) else len(folder)
        names = [path[cut:] for path in batch]
        if any(os.sep in name for name in names):  # `pkg//a.py` as given
            names = [os.path.basename(path) for path in batch]
        try:
            now = [stat(path) for path in batch]
            stamp = stamps(now)
        except (OSError, OverflowError):  # (a time past 2262 does not pack: compared file by file)
            now = []
            for path in batch:
                try:
                    now.append(stat(path))
                except OSError:
                    now.append(None)
            stamp = None
        folders.append((full_folder, batch, names, now, stamp, top))
        by_package.setdefault(top, []).append((full_folder, names, stamp))
    fingerprints = {}
    for top, members in by_package.items():
        if top is None:
            fingerprints[top] = ""
        elif inside_walk(top, walked) and all(stamp is not None for _, _, stamp in members):
            fingerprints[top] = folders_fingerprint(members)
        else:  # only part of the package is being checked (or a file vanished): all its modules count
            fingerprints[top] = package_fingerprint(top)
    found: list[Diagnostic] = []
    todo = []
    for full_folder, batch, names, now, stamp, top in folders:
        package = fingerprints[top]
        hits, missed = cache.get_folder(full_folder, batch, names, now, stamp, package)
        found.extend(hits)
        todo.extend((batch[position], package, now[position]) for position in missed)
    # every file from the cache: no linter is made (their findings were made under the same
    # selectors, checked then); with no file at all, the selectors are still checked
    if todo or not folders:
        from .runner import check_files

        linter = linters.get(settings)
        with _progress(len(todo)) as progress:
            results = check_files([path for path, _, _ in todo], linter, jobs, True, progress, walked)
    for path, package, now in todo:
        diagnostics, digest = results[path]
        found.extend(diagnostics)
        if now is not None and digest is not None:
            cache.put(path, package, digest, now, diagnostics)
    cache.save()
    return found


class _progress:
    """A progress bar on stderr for long runs on a terminal (``rich``); a no-op otherwise.

    ``total``: the number of files, or ``None`` while the walk is still finding them
    (:meth:`known` gives it then; the bar appears from that moment)."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.bar = None
        self.task = None
        self.done = 0

    def __enter__(self) -> "_progress":
        if self.total is not None:
            self.known(self.total)
        return self

    def known(self, total: int) -> None:
        self.total = total
        if self.bar is not None or total < PROGRESS_THRESHOLD or not use_color(sys.stderr):
            return
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=None)
        self.bar.__enter__()
        self.task = self.bar.add_task("httplint", total=total)
        if self.done:
            self.bar.advance(self.task, self.done)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.advance(self.task, count)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _write_applied(applied: list[Diagnostic], out: TextIO, would: bool) -> None:
    """``--show-fixes``: each fix applied, by file, with what it did (unsafe ones marked)."""
    out.write(f"{'Would fix' if would else 'Fixed'} {plural(len(applied), 'error')}:\n")
    by_path: dict[str, list[Diagnostic]] = {}
    for d in applied:
        by_path.setdefault(d.path, []).append(d)
    for path, group in sorted(by_path.items()):
        out.write(f"- {path}:\n")
        for d in sorted(group, key=reading_order):
            unsafe = " (unsafe)" if d.fix is not None and d.fix.applicability.value == "unsafe" else ""
            title = d.fix.title if d.fix is not None else ""
            out.write(f"    {d.line}:{d.column + 1} {d.code} {title}{unsafe}\n")


def _fix_file(path: str, linter: Linter, unsafe: bool, diff: bool,
              applied: list[Diagnostic] | None = None) -> tuple[list[Diagnostic], int, bool]:
    """Fix one file (or print its diff). Returns the remaining findings, the number fixed, and
    whether the file changed (or would). A notebook is checked, not fixed (its findings carry
    no fix, :mod:`httplint.notebook`), and stderr says so."""
    from .codemod import (  # libcst is imported only when fixing
        fix_source,
        write_atomically,
    )
    from .engine import decode
    from .rules import RULES

    if path.endswith(NOTEBOOK_SUFFIX):
        found = linter.check_path(path)
        if any(d.code in RULES for d in found):
            print(f"{path}: not fixed: fixes are not applied to notebooks (.ipynb); the findings are listed",
                  file=sys.stderr)
        return found, 0, False

    try:
        source = read_bytes(path)
    except OSError as error:
        return [Diagnostic(path, 1, 0, "E902", "io-error", f"{type(error).__name__}: {error.strerror or error}")], 0, False
    knowledge, prefilter, module, is_package = linter.context(path)
    result = fix_source(source, path, linter.rules_for(path), unsafe, knowledge, prefilter, module, is_package,
                        linter.refiner(path))
    if result.source is None:
        return result.remaining, 0, False
    if applied is not None:
        applied.extend(result.fixed)
    if diff:
        import difflib

        before = decode(source).splitlines(keepends=True)
        after = decode(result.source).splitlines(keepends=True)
        sys.stdout.writelines(difflib.unified_diff(before, after, fromfile=path, tofile=path))
        return result.remaining, len(result.fixed), True
    try:
        write_atomically(path, result.source)
    except OSError as error:
        failure = Diagnostic(path, 1, 0, "E902", "io-error", f"{type(error).__name__}: cannot write: {error.strerror}")
        return [failure, *linter.check_path(path)], 0, False
    return result.remaining, len(result.fixed), True
