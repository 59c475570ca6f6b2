"""The rule base class and the diagnostic a rule reports."""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, ClassVar, Iterator, Union

if TYPE_CHECKING:  # (a command line answering from its cache imports no analysis)
    from .fix import Edit
    from .resources import Analysis


class Applicability(Enum):
    """Whether a fix applies with ``--fix`` (safe) or needs ``--unsafe-fixes`` too."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    """A fix: its title (imperative), applicability, the edit (:mod:`httplint.fix`), and the
    lines it touches."""

    title: str
    applicability: Applicability
    edit: Edit
    lines: tuple[int, int]


#: What a rule yields: ``(node, message)``, or ``(node, message, fix)`` where ``fix``
#: is a :class:`~httplint.fix.Fix` or the reason (a string) why none is offered.
Report = Union[tuple[ast.AST, str], tuple[ast.AST, str, "Fix | str | None"]]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, or one file that could not be checked.

    Attributes:
        path: the file, as given or found on the command line.
        line: 1-based line.
        column: 0-based column, as ``ast`` gives it and flake8 reports it (shown 1-based).
        code: the rule code (``HTL104``), or ``E902`` (unreadable) / ``E999`` (unparsable).
        name: the rule's kebab-case name.
        message: a short sentence, identifiers in backticks, no final period.
        fix: the fix for it, if one is offered (not part of equality or order).
        cell: in a notebook, the 1-based cell that ``line`` counts in; ``None`` in a Python file.
    """

    path: str
    line: int
    column: int
    code: str
    name: str
    message: str
    fix: Fix | None = field(default=None, compare=False, hash=False)
    cell: int | None = None


def reading_order(d: Diagnostic) -> tuple:
    """Sort key: by file, notebook cell, line, column, code (``sorted()`` alone would put a
    notebook's lines of different cells together)."""
    return (d.path, d.cell or 0, d.line, d.column, d.code, d.message)


class Rule:
    """A lint rule. Subclasses set ``code`` and ``name`` and implement :meth:`check`.

    The class docstring is the rule's documentation, under the headings
    ``## What it does``, ``## Why is this bad?``, ``## Example``, ``## Use instead``,
    ``## Fix safety`` and ``## References``; ``docs/rules.md`` is rendered from it.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    #: the rule offers fixes (for some of its findings)
    fixable: ClassVar[bool] = False
    #: what it reports in test files under the default ``test-rules = "runtime"``: ``"always"``
    #: (what breaks or warns in the test run itself), ``"warnings"`` (only clients left open
    #: that warn when collected, :attr:`~httplint.libraries.OwnerType.warns_left_open`) or
    #: ``"never"`` (timeouts and per-request construction against local or mocked servers)
    in_tests: ClassVar[str] = "never"
    #: codes whose finding at the same line and column is the same object's, and which this
    #: rule's finding already tells (one cause, one finding): dropped when both are reported
    subsumes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, test_file: bool = False) -> None:
        #: the module is test code checked under the ``"runtime"`` policy (see :attr:`in_tests`)
        self.test_file = test_file

    def reports_leak_of(self, owner) -> bool:
        """Whether a client of type ``owner`` (:class:`~httplint.libraries.OwnerType`) left open
        is reported here: everywhere in shipped code, and in test files only when it warns."""
        return not self.test_file or owner.warns_left_open

    def check(self, analysis: Analysis) -> Iterator[Report]:
        """Yield a :data:`Report` for each violation found in the analysis of one module."""
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def in_tests_text(cls) -> str:
        """One sentence on what the rule reports in test files by default, for its documentation."""
        return {
            "always": "Reported in test files too: it breaks or warns in the test run itself.",
            "warnings": (
                "In test files (`test-rules = \"runtime\"`, the default) reported only for async clients "
                "(aiohttp, `httpx.AsyncClient`), which warn when left open; `test-rules = \"all\"` reports "
                "every client there."
            ),
            "never": (
                "Not reported in test files by default (`test-rules = \"runtime\"`): tests talk to local or "
                "mocked servers; `test-rules = \"all\"` reports it there too."
            ),
        }[cls.in_tests]

    @classmethod
    def section(cls, heading: str) -> str:
        """The text under one ``## heading`` of the documentation."""
        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", cls.documentation(), re.S | re.M)
        return match.group(1).strip() if match else ""

    @classmethod
    def code_block(cls, heading: str) -> str:
        """The first fenced Python block under ``heading``."""
        match = re.search(r"```python\n(.*?)```", cls.section(heading), re.S)
        return match.group(1) if match else ""
