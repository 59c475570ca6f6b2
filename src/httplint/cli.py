"""The command line: ``httplint [PATH ...]``. ``main(argv) -> int`` is what tests call."""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .docs import render_rule
from .engine import UsageError, check_path, select_rules
from .files import Missing, iter_python_files
from .report import FORMATS
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
    for item in iter_python_files(args.paths or ["."]):
        if isinstance(item, Missing):
            diagnostics.append(Diagnostic(item.path, 1, 0, "E902", "io-error", "FileNotFoundError: No such file or directory"))
            continue
        diagnostics.extend(check_path(item, rules))
    diagnostics.sort()
    FORMATS[args.format](diagnostics, sys.stdout)
    if args.exit_zero:
        return 0
    return 1 if diagnostics else 0
