"""The command line: ``httplint [PATH ...]``. ``main(argv) -> int`` is what tests call."""

from __future__ import annotations

import argparse
import difflib
import sys

from . import __version__
from .docs import render_rule
from .engine import UsageError, check_path, select_rules
from .files import Missing, iter_python_files
from .report import FORMATS, Summary
from .rule import Diagnostic
from .rules import RULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="httplint",
        description="Find HTTP-client misuse (requests, httpx, urllib3, aiohttp): leaked clients "
        "and responses, per-request sessions, unsafe releases.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: .)")
    parser.add_argument("--select", action="append", metavar="CODES", help="comma-separated codes or prefixes to enable")
    parser.add_argument("--ignore", action="append", metavar="CODES", help="comma-separated codes or prefixes to disable")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or count unsafe fixes")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation and exit")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--version", action="version", version=f"httplint {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run httplint. Returns 0 when clean, 1 on findings (or unreadable files), 2 on a usage error."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    if args.explain:
        rule = RULES.get(args.explain.strip().upper())
        if rule is None:
            print(f"httplint: error: unknown rule code {args.explain!r}", file=sys.stderr)
            return 2
        sys.stdout.write(render_rule(rule, level=1))
        return 0
    try:
        rules = select_rules(args.select, args.ignore)
    except UsageError as error:
        print(f"httplint: error: {error}", file=sys.stderr)
        return 2
    diagnostics: list[Diagnostic] = []
    fixing = args.fix or args.diff
    fixed = changed = 0
    for item in iter_python_files(args.paths or ["."]):
        if isinstance(item, Missing):
            diagnostics.append(Diagnostic(item.path, 1, 0, "E902", "io-error", "FileNotFoundError: No such file or directory"))
            continue
        if not fixing:
            diagnostics.extend(check_path(item, rules))
            continue
        found, fixed_here, did_change = _fix_file(item, rules, args.unsafe_fixes, args.diff)
        diagnostics.extend(found)
        fixed += fixed_here
        changed += did_change
    diagnostics.sort()
    if args.diff:
        print(f"Would fix {fixed} error{'s' if fixed != 1 else ''}.", file=sys.stderr)
        return 1 if changed and not args.exit_zero else 0
    summary = Summary(fixed=fixed, unsafe_fixes=args.unsafe_fixes, fixing=args.fix)
    FORMATS[args.format](diagnostics, sys.stdout, summary)
    if args.exit_zero:
        return 0
    return 1 if diagnostics else 0


def _fix_file(path: str, rules, unsafe: bool, diff: bool) -> tuple[list[Diagnostic], int, bool]:
    """Fix one file (or print its diff). Returns the remaining findings, the number fixed, and
    whether the file changed (or would)."""
    from .codemod import fix_source, write_atomically  # libcst is imported only when fixing

    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as error:
        return [Diagnostic(path, 1, 0, "E902", "io-error", f"{type(error).__name__}: {error.strerror or error}")], 0, False
    result = fix_source(source, path, rules, unsafe)
    if result.source is None:
        return result.remaining, 0, False
    if diff:
        before = _text(source).splitlines(keepends=True)
        after = _text(result.source).splitlines(keepends=True)
        sys.stdout.writelines(difflib.unified_diff(before, after, fromfile=path, tofile=path))
        return result.remaining, len(result.fixed), True
    try:
        write_atomically(path, result.source)
    except OSError as error:
        failure = Diagnostic(path, 1, 0, "E902", "io-error", f"{type(error).__name__}: cannot write: {error.strerror}")
        return [failure, *check_path(path, rules)], 0, False
    return result.remaining, len(result.fixed), True


def _text(source: bytes) -> str:
    from .engine import decode

    return decode(source)
