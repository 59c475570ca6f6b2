"""Applies fixes with libcst, verifies them, and writes files atomically.

Only files with an applicable fix are parsed by libcst. Each edit locates its nodes by
the ``ast`` positions of the finding (line, and the UTF-8 byte column converted to
libcst's character column). A pass applies every non-overlapping fix at once and then
verifies the result:

- it parses (``ast.parse``);
- re-linting it shows no finding that was not there before, and fewer in all;

if the batch fails, the fixes are tried one at a time and those that verify are applied
together (or, if together they do not verify, the first of them). Passes repeat until no applicable fix remains (convergence), so a second
``--fix`` changes nothing. Everything outside an edit is left byte-identical: libcst
round-trips the untouched nodes exactly. Encoding (PEP 263 cookie), a UTF-8 BOM and
line endings are kept, and the write goes through a temporary file in the same folder
and ``os.replace``, keeping the file mode.
"""

from __future__ import annotations

import io
import os
import tempfile
import tokenize
from collections import Counter
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from . import fix as fx
from . import libraries as lib
from .engine import PREFILTER, check_source
from .rule import Diagnostic, Rule
from .semantic import parse

MAX_PASSES = 20
BOM = b"\xef\xbb\xbf"


class EditError(Exception):
    """An edit could not find its nodes, or they are not of the expected shape."""


@dataclass
class FixResult:
    """The outcome of fixing one file.

    Attributes:
        source: the new bytes, or ``None`` when nothing changed.
        fixed: the findings the applied fixes removed.
        remaining: the findings left in the new source.
    """

    source: bytes | None
    fixed: list[Diagnostic] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)


def allowed(diagnostic: Diagnostic, unsafe: bool) -> bool:
    """Whether a finding has a fix that applies under the current settings."""
    fix = diagnostic.fix
    return fix is not None and (unsafe or fix.applicability is fx.Applicability.SAFE)


def fix_source(
    source: bytes,
    path: str,
    rules: list[Rule],
    unsafe: bool,
    knowledge: lib.Knowledge | None = None,
    prefilter: object = PREFILTER,
    module: str | None = None,
    is_package: bool = False,
    refine=None,
) -> FixResult:
    """Apply every applicable fix to one file's bytes, to convergence. Never raises for bad input.
    ``refine``: as for :func:`httplint.engine.check_tree`."""

    def check(data: bytes) -> list[Diagnostic]:
        return check_source(data, path, rules, knowledge, prefilter, module, is_package, refine=refine)

    diagnostics = check(source)
    if not any(allowed(d, unsafe) for d in diagnostics):
        return FixResult(None, [], diagnostics)
    bom = source.startswith(BOM)
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
        text = source[len(BOM) :].decode("utf-8" if bom else encoding) if bom else source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return FixResult(None, [], diagnostics)
    if encoding == "utf-8-sig":
        encoding = "utf-8"

    def encode(value: str) -> bytes:
        return (BOM if bom else b"") + value.encode(encoding)

    fixed: list[Diagnostic] = []
    current = text
    for _ in range(MAX_PASSES):
        candidates = [d for d in diagnostics if allowed(d, unsafe)]
        if not candidates:
            break
        outcome = _apply_verified(current, candidates, diagnostics, encode, check)
        if outcome is None:
            break
        current, applied, diagnostics = outcome
        fixed.extend(applied)
    if current == text:
        return FixResult(None, [], diagnostics)
    return FixResult(encode(current), fixed, diagnostics)


def _checker(path: str, linter):
    rules = linter.rules_for(path)
    knowledge, prefilter, module, is_package = linter.context(path)
    refine = linter.refiner(path)

    def check(data: bytes) -> list[Diagnostic]:
        return check_source(data, path, rules, knowledge, prefilter, module, is_package, refine=refine)

    return check


def fix_one(text: str, path: str, finding: Diagnostic, linter) -> str | None:
    """``text`` with ``finding``'s fix applied (an editor's quick fix), or ``None`` when it does
    not verify as ``--fix`` requires: the result parses, and re-linting shows the finding gone
    and nothing new. ``linter``: the :class:`httplint.engine.Linter` whose rules found it."""
    if finding.fix is None:
        return None
    check = _checker(path, linter)
    before = check(text.encode("utf-8"))
    group = [d for d in before if d.fix is not None and d.fix.edit == finding.fix.edit]
    if not group:
        return None  # the document changed since the finding
    try:
        new = apply_edits(text, [finding.fix.edit])
    except (EditError, cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    if new == text or _verify(new, before, group, lambda value: value.encode("utf-8"), check) is None:
        return None
    return new


def fix_all_safe(text: str, path: str, linter) -> str | None:
    """``text`` with every safe fix applied, to convergence (``--fix`` on one buffer), or ``None``
    when there is none."""
    knowledge, prefilter, module, is_package = linter.context(path)
    result = fix_source(text.encode("utf-8"), path, linter.rules_for(path), False, knowledge, prefilter, module,
                        is_package, linter.refiner(path))
    return result.source.decode("utf-8") if result.source is not None else None


def _apply_verified(text, candidates, diagnostics, encode, check):
    """One pass: the non-overlapping batch; failing that, the batch of the fixes that verify one
    by one; failing that, the first single fix that verifies."""
    batch = _non_overlapping(candidates)
    outcome = _try_group(text, batch, candidates, diagnostics, encode, check)
    if outcome is not None or len(batch) == 1:
        return outcome
    singles = [(d, _try_group(text, [d], candidates, diagnostics, encode, check)) for d in batch]
    good = [(d, result) for d, result in singles if result is not None]
    if len(good) > 1:
        outcome = _try_group(text, [d for d, _ in good], candidates, diagnostics, encode, check)
        if outcome is not None:
            return outcome
    return good[0][1] if good else None


def _try_group(text, group, candidates, diagnostics, encode, check):
    """``(new text, applied findings, new findings)`` for ``group``'s edits, or ``None`` when they
    do not apply or do not verify."""
    try:
        new_text = apply_edits(text, [d.fix.edit for d in group])
    except (EditError, cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    if new_text == text:
        return None
    new_diagnostics = _verify(new_text, diagnostics, group, encode, check)
    if new_diagnostics is None:
        return None
    edits = {d.fix.edit for d in group}
    applied = [d for d in candidates if d.fix.edit in edits]
    return new_text, applied, new_diagnostics


def _non_overlapping(candidates: list[Diagnostic]) -> list[Diagnostic]:
    chosen: list[Diagnostic] = []
    taken: list[tuple[int, int]] = []
    seen_edits = set()
    for diagnostic in sorted(candidates, key=lambda d: (d.fix.lines, d.code)):
        edit = diagnostic.fix.edit
        if edit in seen_edits:
            chosen.append(diagnostic)
            continue
        low, high = diagnostic.fix.lines
        if any(low <= t_high and t_low <= high for t_low, t_high in taken):
            continue
        taken.append((low, high))
        seen_edits.add(edit)
        chosen.append(diagnostic)
    return chosen


def _verify(new_text, before, group, encode, check) -> list[Diagnostic] | None:
    """The re-lint of ``new_text`` if it parses and shows nothing new, else ``None``."""
    new_source = encode(new_text)
    try:
        parse(new_source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    after = check(new_source)
    if any(d.code in ("E999", "E902") for d in after):
        return None
    old = Counter((d.code, _base(d.message)) for d in before)
    new = Counter((d.code, _base(d.message)) for d in after)
    if new - old:
        return None  # a finding that was not there before
    if len(after) > len(before) - len({d.fix.edit for d in group}):
        return None  # a fix that did not remove its finding
    return after


def _base(message: str) -> str:
    """A message without its "(no automatic fix: ...)" note, which a neighbouring fix may change."""
    return message.split(" (no automatic fix: ", 1)[0]


# -- applying edits -------------------------------------------------------------------


def apply_edits(text: str, edits: list[fx.Edit]) -> str:
    """Apply ``edits`` (positions from the ``ast`` of ``text``) and return the new text.

    Raises:
        EditError: an edit's nodes were not found or have another shape.
        libcst.ParserSyntaxError: ``text`` does not parse.
    """
    module = cst.parse_module(text)
    lines = text.splitlines(keepends=True)
    transformer = _Transformer(edits, lines)
    new_module = MetadataWrapper(module).visit(transformer)
    transformer.done.update(c for c in transformer.composites if all(p in transformer.done for p in c.parts))
    missing = [e for e in edits if e not in transformer.done]
    if missing:
        raise EditError(f"could not locate {missing[0]!r}")
    if transformer.imports:
        context = CodemodContext()
        for module_name in sorted(transformer.imports):
            AddImportsVisitor.add_needed_import(context, module_name)
        new_module = AddImportsVisitor(context).transform_module(new_module)
    return new_module.code


def _char_pos(lines: list[str], position: fx.Pos) -> tuple[int, int]:
    line, byte_col = position
    if 1 <= line <= len(lines):
        return line, len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))
    return position


class _Transformer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: list[fx.Edit], lines: list[str]) -> None:
        super().__init__()
        self.composites = [e for e in dict.fromkeys(edits) if isinstance(e, fx.Edits)]
        self.edits = list(dict.fromkeys(
            part for e in edits for part in (e.parts if isinstance(e, fx.Edits) else (e,))))
        self.lines = lines
        self.done: set[fx.Edit] = set()
        self.imports: set[str] = set()
        self._calls: dict[tuple[int, int], fx.Edit] = {}
        self._withs: dict[tuple[int, int], fx.MakeAsyncWith] = {}
        #: expression start → the replace-nodes edit that names it, and how many it has replaced
        self._names: dict[tuple[int, int], fx.ReplaceNodes] = {}
        self._replaced: Counter = Counter()
        self._helper_calls: dict[tuple[int, int], tuple[fx.SessionAroundStatement, str]] = {}
        self._block_edits: list[tuple[fx.Edit, dict[str, tuple[int, int]]]] = []
        #: statement start → the hoist-to-with edit that moves it out; the edit → the value moved
        self._hoist_out: dict[tuple[int, int], fx.HoistToWith] = {}
        self._hoisted: dict[fx.HoistToWith, cst.BaseExpression] = {}
        #: comments of releases dropped at the end of the block being rewritten (to its footer)
        self._footer: list[cst.EmptyLine] = []
        #: module-level statement start → the shared clients to define before it
        self._module_inserts: dict[tuple[int, int], list[fx.ShareClient]] = {}
        #: function statement start → statements to append to its body
        self._function_tails: dict[tuple[int, int], fx.AppendToFunction] = {}
        #: class statement start → methods to append to its body
        self._class_methods: dict[tuple[int, int], fx.AddMethods] = {}
        #: a share-client edit → its construction as written in the file
        self._client_code: dict[fx.ShareClient, str] = {}
        for edit in self.edits:
            if isinstance(edit, fx.HoistToWith):
                self._hoist_out[self._c(edit.stmt)] = edit
            if isinstance(edit, fx.ExitStackAround):
                for call in edit.calls:
                    self._calls[self._c(call)] = edit
            if isinstance(edit, fx.ToAsyncClient):
                self._calls[self._c(edit.call)] = edit
                for call, _ in edit.awaits:
                    self._calls[self._c(call)] = edit
            if isinstance(edit, fx.ShareClient) and edit.module_stmt is not None:
                self._module_inserts.setdefault(self._c(edit.module_stmt), []).append(edit)
            if isinstance(edit, fx.ShareClient) and edit.call is not None:
                self._calls[self._c(edit.call)] = edit
            if isinstance(edit, fx.ToAsyncClient):
                pass
            elif isinstance(edit, (fx.AwaitCall, fx.AddKeyword, fx.ToThread, fx.WrapCall)):
                self._calls[self._c(edit.call)] = edit
            elif isinstance(edit, fx.WrapStatement):
                self._calls[self._c(edit.call)] = edit
                anchors = {"stmt": self._c(edit.stmt)}
                if edit.last is not None:
                    anchors["last"] = self._c(edit.last)
                self._block_edits.append((edit, anchors))
            elif isinstance(edit, fx.ReplaceNodes):
                for node in edit.nodes:
                    self._names[self._c(node)] = edit
            elif isinstance(edit, fx.MakeAsyncWith):
                self._withs[self._c(edit.stmt)] = edit
            elif isinstance(edit, fx.AddMethods):
                self._class_methods[self._c(edit.cls)] = edit
            elif isinstance(edit, fx.AppendToFunction):
                self._function_tails[self._c(edit.function)] = edit
            else:
                anchors = {
                    name: self._c(value)
                    for name, value in vars(edit).items()
                    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int)
                }
                self._block_edits.append((edit, anchors))
                if isinstance(edit, fx.SessionAroundStatement):
                    for call, method in edit.calls:
                        self._helper_calls[self._c(call)] = (edit, method)

    def _c(self, position: fx.Pos) -> tuple[int, int]:
        return _char_pos(self.lines, position)

    def _start(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return (start.line, start.column)

    # expressions

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if not self._names:
            return updated
        edit = self._names.get(self._start(original))
        if edit is None:
            return updated
        self._replaced[edit] += 1
        if self._replaced[edit] == len(edit.nodes):
            self.done.add(edit)
        return cst.parse_expression(edit.value).with_changes(lpar=updated.lpar, rpar=updated.rpar)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not _dotted(original.func):
            return updated  # `f(x).json()` starts where `f(x)` does: only plain callees are targets
        start = self._start(original)
        edit = self._calls.get(start)
        if isinstance(edit, fx.AwaitCall):
            self.done.add(edit)
            return cst.Await(expression=updated)
        if isinstance(edit, fx.WrapStatement):
            self._client_code[edit] = updated  # the construction, moved into the `with`
            return cst.Name(edit.name)
        if isinstance(edit, fx.WrapCall):
            self.done.add(edit)
            self.imports.add(edit.wrapper.rpartition(".")[0])
            return cst.Call(func=cst.parse_expression(edit.wrapper), args=[cst.Arg(value=updated)])
        if isinstance(edit, fx.ToAsyncClient):
            self._replaced[edit] += 1
            if self._replaced[edit] == len(edit.awaits) + 1:
                self.done.add(edit)
            if start == self._c(edit.call):
                if not isinstance(updated.func, cst.Attribute):
                    raise EditError("not `module.Client(...)`")
                return updated.with_changes(func=updated.func.with_changes(attr=cst.Name(edit.attr)))
            parenthesize = next((flag for p, flag in edit.awaits if self._c(p) == start), False)
            awaited = cst.Await(expression=updated)
            if parenthesize:
                awaited = awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            return awaited
        if isinstance(edit, fx.ShareClient):  # a client built inline for one request
            self._client_code[edit] = cst.Module([]).code_for_node(updated)
            return cst.Name(edit.const)
        if isinstance(edit, fx.ExitStackAround):
            self._replaced[edit] += 1
            return cst.Call(func=cst.parse_expression(f"{edit.stack}.enter_context"), args=[cst.Arg(value=updated)])
        if isinstance(edit, fx.ToThread):
            self.done.add(edit)
            self.imports.add("asyncio")
            first = cst.Arg(value=updated.func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            to_thread = cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("to_thread"))
            awaited = cst.Await(expression=updated.with_changes(func=to_thread, args=[first, *updated.args]))
            if edit.parenthesize:
                awaited = awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            return awaited
        if isinstance(edit, fx.AddKeyword):
            self.done.add(edit)
            if edit.replace:
                updated = updated.with_changes(args=[
                    arg.with_changes(value=cst.parse_expression(edit.value))
                    if arg.keyword is not None and arg.keyword.value == edit.keyword else arg
                    for arg in updated.args
                ])
            else:
                updated = _add_keyword(updated, edit.keyword, edit.value)
        helper = self._helper_calls.get(start)
        if helper is not None:
            helper_edit, method = helper
            return updated.with_changes(func=cst.Attribute(value=cst.Name(helper_edit.name), attr=cst.Name(method)))
        return updated

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        edit = self._function_tails.get(self._start(original))
        if edit is None:
            return updated
        if not isinstance(updated.body, cst.IndentedBlock) or _has_comments_in_footer(updated.body):
            raise EditError("the function body ends with comments")
        body = list(updated.body.body)
        added = list(cst.parse_module(edit.source).body)
        last = body[-1]
        ends_with_return = isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return)
        at = len(body) - 1 if ends_with_return else len(body)
        if len(body) == 1 and isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Pass) \
                and not _has_comments(last):
            body, at = [], 0  # `pass` alone gives way to the close
        self.done.add(edit)
        return updated.with_changes(body=updated.body.with_changes(body=[*body[:at], *added, *body[at:]]))

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        edit = self._class_methods.get(self._start(original))
        if edit is None:
            return updated
        if not isinstance(updated.body, cst.IndentedBlock) or _has_comments_in_footer(updated.body):
            raise EditError("the class body ends with comments")
        # one blank line before each method, without the indentation a blank line would print
        methods = [m.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
                   for m in cst.parse_module(edit.source).body]
        self.done.add(edit)
        return updated.with_changes(body=updated.body.with_changes(body=[*updated.body.body, *methods]))

    def leave_With(self, original: cst.With, updated: cst.With) -> cst.With:
        edit = self._withs.get(self._start(original))
        if edit is not None:
            self.done.add(edit)
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    # statement blocks

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        original_body, new_body = list(original.body), list(updated.body)
        if self._hoist_out:
            original_body, new_body = self._take_hoisted(original_body, new_body)
            if len(new_body) != len(updated.body):
                updated = updated.with_changes(body=new_body)
        body = self._rewrite_block(original_body, new_body)
        if self._footer:  # comments of a release dropped at the end of this block
            updated = updated.with_changes(footer=[*self._footer, *updated.footer])
            self._footer = []
        return updated.with_changes(body=body) if body is not None else updated

    def _take_hoisted(self, original_body, body):
        """Remove the ``name = CLIENT`` statements that hoist-to-with edits move out of this
        block, keeping their values (and their comments on the next statement)."""
        taken = set()
        for i, statement in enumerate(original_body):
            edit = self._hoist_out.get(self._start(statement))
            if edit is None:
                continue
            node = body[i]
            if not (isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1
                    and isinstance(node.body[0], cst.Assign)):
                raise EditError("not a plain `name = ...`")
            value = node.body[0].value
            if edit.wrapper:
                self.imports.add(edit.wrapper.rpartition(".")[0])
                value = cst.Call(func=cst.parse_expression(edit.wrapper), args=[cst.Arg(value=value)])
            self._hoisted[edit] = value
            taken.add(i)
        if not taken:
            return original_body, body
        kept, left = _dropping(body, taken)
        if not kept or left:
            raise EditError("the block would be left empty, or its comments would have nowhere to go")
        if 0 in taken:  # the block's new first statement: no blank line after the header
            lines = list(kept[0].leading_lines)
            while lines and lines[0].comment is None:
                lines.pop(0)
            kept[0] = kept[0].with_changes(leading_lines=lines)
        return [s for i, s in enumerate(original_body) if i not in taken], kept

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body = self._rewrite_block(original.body, list(updated.body))
        if self._footer:
            updated = updated.with_changes(footer=[*self._footer, *updated.footer])
            self._footer = []
        if self._module_inserts:
            body = self._insert_shared(list(original.body), body if body is not None else list(updated.body))
        return updated.with_changes(body=body) if body is not None else updated

    def _insert_shared(self, original_body, body):
        """``CONST = CLIENT`` before the module-level statements the share-client fixes name;
        blank lines above the statement go to the new one, comments stay with the statement."""
        if len(original_body) != len(body):
            raise EditError("the module's statements moved")
        defined = set()
        new_body = []
        for original, statement in zip(original_body, body):
            for edit in self._module_inserts.get(self._start(original), []):
                if edit.const in defined:
                    raise EditError(f"`{edit.const}` is defined by another fix of this pass")
                defined.add(edit.const)
                lines = list(statement.leading_lines)
                first_comment = next((i for i, line in enumerate(lines) if line.comment is not None), len(lines))
                client = self._client_code.get(edit, edit.client)
                shared = cst.parse_statement(f"{edit.const} = {client}\n").with_changes(
                    leading_lines=lines[:first_comment])
                new_body.append(shared)
                statement = statement.with_changes(
                    leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *lines[first_comment:]])
            new_body.append(statement)
        if defined != {e.const for edits in self._module_inserts.values() for e in edits}:
            raise EditError("a module-level statement for a shared client was not found")
        return new_body

    def _rewrite_block(self, original_body, body):
        starts = [self._start(s) for s in original_body]
        changed = False
        for edit, anchors in self._block_edits:
            if edit in self.done:
                continue
            first_key = "first" if "first" in anchors else ("loop" if "loop" in anchors else "stmt")
            if anchors[first_key] not in starts:
                continue
            index = {name: (starts.index(value) if value in starts else None) for name, value in anchors.items()}
            body = self._apply_block_edit(edit, index, body, original_body, anchors)
            self.done.add(edit)
            # positions shift after a rewrite of this block: recompute from the new body order
            starts = self._shift(starts, edit, index)
            changed = True
        return body if changed else None

    @staticmethod
    def _shift(starts, edit, index):
        """Anchors of later edits in the same block: the rewrite replaces a statement range by one."""
        if isinstance(edit, fx.UnwrapWith):
            return [(-2, -2)] * len(starts)  # the body moved out: later edits of this block wait a pass
        if isinstance(edit, fx.ShareClient) and (edit.drops or edit.unwrap):
            return [(-2, -2)] * len(starts)  # statements removed: later edits of this block wait a pass
        if isinstance(edit, (fx.HoistToWith, fx.ExitStackAround)):
            return starts[: index["first"] + 1] + starts[index["last"] + 1 :]
        if isinstance(edit, (fx.WrapInWith, fx.TryFinally)):
            first = index["first"]
            if isinstance(edit, fx.TryFinally):
                first += 1
            last = index.get("drop") or index.get("move") or index["last"]
            return starts[: first + 1] + starts[last + 1 :]
        if isinstance(edit, fx.InsertBefore):
            return starts[: index["stmt"]] + [(-1, -1)] + starts[index["stmt"] :]
        if isinstance(edit, fx.WrapStatement) and edit.last is not None:
            return starts[: index["stmt"] + 1] + starts[index["last"] + 1 :]
        return starts

    def _apply_block_edit(self, edit, index, body, original_body, anchors):
        if isinstance(edit, fx.WrapInWith):
            return self._wrap_in_with(edit, index, body)
        if isinstance(edit, fx.TryFinally):
            return self._try_finally(edit, index, body)
        if isinstance(edit, fx.HoistWith):
            return self._hoist(index, body, original_body, anchors["with_stmt"])
        if isinstance(edit, fx.HoistAssign):
            return self._hoist_assign(edit, index, body, original_body, anchors["stmt"])
        if isinstance(edit, fx.ShareClient):
            return self._share(edit, index, body, original_body)
        if isinstance(edit, fx.WrapStatement):
            position = index["stmt"]
            construction = self._client_code.get(edit)
            if position is None or construction is None:
                raise EditError("statement or construction not found")
            last = position if edit.last is None else index.get("last")
            if last is None or last < position:
                raise EditError("the statements to wrap were not found")
            return _with_around(body, position, last, construction, edit.name, edit.asynchronous)
        if isinstance(edit, fx.SessionAroundStatement):
            return self._session_around(edit, index, body)
        if isinstance(edit, fx.UnwrapWith):
            position = index["stmt"]
            statement = body[position] if position is not None else None
            if not (isinstance(statement, cst.With) and len(statement.items) == 1
                    and isinstance(statement.body, cst.IndentedBlock)) or _has_comments_in_footer(statement.body):
                raise EditError("not a one-item `with` block")
            value = statement.items[0].item
            if statement.asynchronous is not None and not isinstance(value, cst.Await):
                value = cst.Await(expression=value)
            small = (cst.Assign(targets=[cst.AssignTarget(target=cst.Name(edit.name))], value=value)
                     if edit.name else cst.Expr(value=value))
            head = cst.SimpleStatementLine(body=[small], leading_lines=statement.leading_lines,
                                           trailing_whitespace=statement.body.header)
            return body[:position] + [head, *statement.body.body] + body[position + 1:]
        if isinstance(edit, fx.ExitStackAround):
            first, last = index["first"], index["last"]
            if first is None or last is None or last < first or self._replaced[edit] != len(edit.calls):
                raise EditError("the statements to wrap, or the calls to enter, were not found")
            self.imports.add("contextlib")
            return _with_around(body, first, last, cst.parse_expression("contextlib.ExitStack()"), edit.stack)
        if isinstance(edit, fx.HoistToWith):
            first, last = index["first"], index["last"]
            value = self._hoisted.get(edit)
            if first is None or last is None or last < first or value is None:
                raise EditError("the statements to wrap, or the client, were not found")
            return _with_around(body, first, last, value, edit.name, edit.asynchronous)
        if isinstance(edit, fx.CallOnResult):
            position = index["stmt"]
            statement = body[position] if position is not None else None
            if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
                    and isinstance(statement.body[0], cst.Expr)):
                raise EditError("not an expression statement")
            value = statement.body[0].value
            if edit.parenthesize:
                value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            call = cst.Call(func=cst.Attribute(value=value, attr=cst.Name(edit.method)))
            return body[:position] + [statement.with_changes(body=[statement.body[0].with_changes(value=call)])] + \
                body[position + 1:]
        if isinstance(edit, fx.InsertBefore):
            position = index["stmt"]
            if position is None:
                raise EditError("statement not found")
            statement = body[position]
            inserted = cst.parse_statement(edit.source).with_changes(leading_lines=statement.leading_lines)
            return body[:position] + [inserted, statement.with_changes(leading_lines=())] + body[position + 1:]
        raise EditError(f"unknown edit {edit!r}")

    def _wrap_in_with(self, edit: fx.WrapInWith, index, body):
        first, last, drop = index["first"], index["last"], index.get("drop")
        if first is None or last is None or last < first or (edit.drop and drop != last + 1):
            raise EditError("wrap range not found")
        statement = body[first]
        if edit.value is not None and isinstance(statement, cst.If):
            # `if name is None: name = FRESH` → the `with` lends or builds
            inner = statement.body.body[0] if isinstance(statement.body, cst.IndentedBlock) else None
            if (statement.orelse is not None or len(statement.body.body) != 1
                    or not isinstance(inner, cst.SimpleStatementLine)
                    or any(line.comment for line in inner.leading_lines)
                    or _has_comments_in_footer(statement.body)
                    or (statement.body.header.comment and inner.trailing_whitespace.comment)):
                raise EditError("not a lone `if name is None: name = ...`")
            # the `with` line keeps the comment of the `if` line or of the assignment
            header = statement.body.header if statement.body.header.comment else inner.trailing_whitespace
        elif not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            raise EditError("not a simple statement")
        else:
            assign = statement.body[0]
            if not (
                isinstance(assign, cst.Assign)
                and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)
                and assign.targets[0].target.value == edit.name
            ):
                raise EditError("not `name = ...`")
            header = statement.trailing_whitespace
        if edit.value is not None:
            self.imports.add("contextlib")
            value = cst.parse_expression(edit.value)
        else:
            value = assign.value
        if edit.unwrap_await:
            if not isinstance(value, cst.Await):
                raise EditError("not awaited")
            value = value.expression
        if edit.wrapper:
            module_name, _, function = edit.wrapper.rpartition(".")
            self.imports.add(module_name)
            value = cst.Call(func=cst.parse_expression(edit.wrapper), args=[cst.Arg(value=value)])
        inner = list(body[first + 1 : last + 1])
        if not inner:
            raise EditError("nothing to wrap")
        if drop is not None and _has_comments(body[drop]):
            # Dropping the release would lose its comments: move it into `finally` instead.
            move = fx.TryFinally(edit.first, edit.last, move=edit.drop)
            return self._try_finally(move, {"first": first, "last": last, "move": drop}, body)
        with_node = cst.With(
            items=[cst.WithItem(item=value, asname=cst.AsName(name=cst.Name(edit.name)))],
            body=cst.IndentedBlock(body=inner, header=header),
            asynchronous=cst.Asynchronous() if edit.asynchronous else None,
            leading_lines=statement.leading_lines,
        )
        end = (drop if drop is not None else last) + 1
        return body[:first] + [with_node] + body[end:]

    def _try_finally(self, edit: fx.TryFinally, index, body):
        first, last, move = index["first"], index["last"], index.get("move")
        if first is None or last is None or last <= first or (edit.move and move != last + 1):
            raise EditError("try range not found")
        inner = list(body[first + 1 : last + 1])
        lead = inner[0].leading_lines
        inner[0] = inner[0].with_changes(leading_lines=())
        if move is not None:
            release = body[move]
            end = move + 1
        else:
            release = cst.parse_statement(edit.release + "\n")
            end = last + 1
        try_node = cst.Try(
            body=cst.IndentedBlock(body=inner),
            finalbody=cst.Finally(body=cst.IndentedBlock(body=[release])),
            leading_lines=lead,
        )
        return body[: first + 1] + [try_node] + body[end:]

    @staticmethod
    def _loop_at(index, body, original_body):
        """``(position, loop, original loop)`` of the loop an edit names, which must hold a block."""
        loop_index = index["loop"]
        if loop_index is None:
            raise EditError("loop not found")
        loop, original_loop = body[loop_index], original_body[loop_index]
        if not isinstance(loop, (cst.For, cst.While)) or not isinstance(loop.body, cst.IndentedBlock):
            raise EditError("not a loop")
        return loop_index, loop, original_loop

    def _hoist(self, index, body, original_body, with_start):
        loop_index, loop, original_loop = self._loop_at(index, body, original_body)
        # The loop's updated statements line up with its original ones, whose positions are known.
        original_inner = list(original_loop.body.body)
        starts = [self._start(s) for s in original_inner]
        if with_start not in starts:
            raise EditError("`with` not found in the loop")
        position = starts.index(with_start)
        loop_body = list(loop.body.body)
        with_node = loop_body[position]
        if not isinstance(with_node, cst.With) or not isinstance(with_node.body, cst.IndentedBlock):
            raise EditError("not a `with` block")
        if _has_comments_in_footer(with_node.body):
            raise EditError("the `with` block ends with comments")
        spliced = list(with_node.body.body)
        spliced[0] = spliced[0].with_changes(leading_lines=[*with_node.leading_lines, *spliced[0].leading_lines])
        new_loop = loop.with_changes(
            body=loop.body.with_changes(body=loop_body[:position] + spliced + loop_body[position + 1 :]),
            leading_lines=(),
        )
        hoisted = with_node.with_changes(
            body=with_node.body.with_changes(body=[new_loop], footer=()),
            leading_lines=loop.leading_lines,
        )
        return body[:loop_index] + [hoisted] + body[loop_index + 1 :]

    def _hoist_assign(self, edit: fx.HoistAssign, index, body, original_body, stmt_start):
        loop_index, loop, original_loop = self._loop_at(index, body, original_body)
        starts = [self._start(s) for s in original_loop.body.body]
        drops = {self._c(d) for d in edit.drops}
        if stmt_start not in starts or not drops <= set(starts):
            raise EditError("statement not found in the loop")
        loop_body = list(loop.body.body)
        position = starts.index(stmt_start)
        statement = loop_body[position]
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
                and isinstance(statement.body[0], cst.Assign)):
            raise EditError("not a plain `name = ...`")
        # comments above the assignment and after it move with it, to the statement that builds it
        leading = [*loop.leading_lines, *statement.leading_lines]
        kept, left = _dropping(loop_body, {starts.index(d) for d in drops}, moved=position)
        if not kept:
            raise EditError("the loop would be empty")
        new_loop = loop.with_changes(body=loop.body.with_changes(body=kept, footer=[*left, *loop.body.footer]),
                                     leading_lines=())
        value = statement.body[0].value
        if edit.close is None:
            outer = cst.With(
                items=[cst.WithItem(item=value, asname=cst.AsName(name=cst.Name(edit.name)))],
                body=cst.IndentedBlock(body=[new_loop], header=statement.trailing_whitespace),
                asynchronous=cst.Asynchronous() if edit.asynchronous else None,
                leading_lines=leading,
            )
            return body[:loop_index] + [outer] + body[loop_index + 1:]
        assign = statement.with_changes(leading_lines=leading)
        closing = cst.parse_statement(f"{edit.name}.{edit.close}()\n")
        guarded = cst.Try(body=cst.IndentedBlock(body=[new_loop]),
                          finalbody=cst.Finally(body=cst.IndentedBlock(body=[closing])))
        return body[:loop_index] + [assign, guarded] + body[loop_index + 1:]

    def _share(self, edit: fx.ShareClient, index, body, original_body):
        position = index["stmt"]
        if position is None:
            raise EditError("statement not found")
        if edit.call is not None:
            if edit not in self._client_code:
                raise EditError("the client built inline was not found")
            return body
        if edit.unwrap is not None:
            at = index.get("unwrap")
            guard = body[at] if at is not None else None
            if not (isinstance(guard, cst.Try) and not guard.handlers and guard.orelse is None
                    and guard.finalbody is not None and isinstance(guard.body, cst.IndentedBlock)
                    and not _has_comments_in_footer(guard.body)
                    and not any(line.comment for line in guard.finalbody.leading_lines)
                    and guard.finalbody.whitespace_before_colon.value == ""
                    and not guard.finalbody.body.header.comment
                    and not any(_has_comments(s) for s in guard.finalbody.body.body)
                    and not guard.body.header.comment):
                raise EditError("not `try: … finally: <close>` without comments")
            inner = list(guard.body.body)
            inner[0] = inner[0].with_changes(leading_lines=[*guard.leading_lines, *inner[0].leading_lines])
            body = body[:at] + inner + body[at + 1:]
            original_body = original_body[:at] + [original_body[at]] * len(inner) + original_body[at + 1:]
            position = position if position < at else position + len(inner) - 1
        starts = [self._start(s) for s in original_body]
        drops = {starts.index(self._c(d)) for d in edit.drops if self._c(d) in starts}
        if len(drops) != len(edit.drops):
            raise EditError("a release to drop was not found")
        statement = body[position]
        alias = cst.parse_statement(f"{edit.name} = {edit.const}\n")
        if isinstance(statement, cst.With):
            if not isinstance(statement.body, cst.IndentedBlock) or _has_comments_in_footer(statement.body):
                raise EditError("not a plain `with` block")
            self._client_code[edit] = cst.Module([]).code_for_node(statement.items[0].item)
            alias = alias.with_changes(leading_lines=statement.leading_lines,
                                       trailing_whitespace=statement.body.header)
            replacement = [alias, *statement.body.body]
        elif isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            self._client_code[edit] = cst.Module([]).code_for_node(statement.body[0].value)
            replacement = [statement.with_changes(body=[statement.body[0].with_changes(value=cst.Name(edit.const))])]
        else:
            raise EditError("not `with` or an assignment")
        kept, left = _dropping(body, drops)
        self._footer += left
        at = position - sum(1 for i in drops if i < position)
        # comments of a close dropped before the statement came to it: they stay above it
        carried = kept[at].leading_lines[len(body[position].leading_lines):]
        replacement[0] = replacement[0].with_changes(leading_lines=[*replacement[0].leading_lines, *carried])
        return kept[:at] + replacement + kept[at + 1:]

    def _session_around(self, edit: fx.SessionAroundStatement, index, body):
        position = index["stmt"]
        if position is None:
            raise EditError("statement not found")
        statement = body[position]
        self.imports.add(edit.module)
        with_node = cst.With(
            items=[cst.WithItem(item=cst.parse_expression(edit.client), asname=cst.AsName(name=cst.Name(edit.name)))],
            body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=())]),
            leading_lines=statement.leading_lines,
        )
        return body[:position] + [with_node] + body[position + 1 :]


def _with_around(body: list, first: int, last: int, item: cst.BaseExpression, name: str,
                 asynchronous: bool = False) -> list:
    """``body`` with its statements ``first`` to ``last`` in ``with item as name:`` (``async
    with``); the comments above the first statement go above the ``with``."""
    statement = body[first]
    with_node = cst.With(
        items=[cst.WithItem(item=item, asname=cst.AsName(name=cst.Name(name)))],
        body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=()), *body[first + 1:last + 1]]),
        asynchronous=cst.Asynchronous() if asynchronous else None,
        leading_lines=statement.leading_lines,
    )
    return body[:first] + [with_node] + body[last + 1:]


def _add_keyword(call: cst.Call, keyword: str, value: str) -> cst.Call:
    """``call`` with ``keyword=value`` appended, in the layout the call already has.

    One line: ``f(a, b)`` → ``f(a, b, timeout=10)``. One argument a line: the new argument
    goes on its own line with the same indentation, after a trailing comma if there was one;
    a comment after the last argument stays on that argument's line.
    """
    new_arg = cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new_arg])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace):
            # one argument a line, trailing comma: the note after `b,` stays on b's line,
            # the new argument takes the next line
            between = cst.ParenthesizedWhitespace(
                first_line=after.first_line, empty_lines=(), indent=True, last_line=_argument_indent(call)
            )
            closing = after.with_changes(first_line=cst.TrailingWhitespace())
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
            args.append(new_arg.with_changes(comma=cst.Comma(whitespace_after=closing)))
        else:
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(new_arg.with_changes(whitespace_after_arg=after))
        return call.with_changes(args=args)
    after_arg = last.whitespace_after_arg
    # arguments that share a line (`f(\n    a, b, c\n)`): the new one joins them on that line
    shared_line = len(args) > 1 and not all(
        isinstance(arg.comma, cst.Comma) and isinstance(arg.comma.whitespace_after, cst.ParenthesizedWhitespace)
        for arg in args[:-1]
    )
    if isinstance(after_arg, cst.ParenthesizedWhitespace) and not shared_line:
        between = cst.ParenthesizedWhitespace(
            first_line=after_arg.first_line, empty_lines=(), indent=True, last_line=_argument_indent(call)
        )
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=between), whitespace_after_arg=cst.SimpleWhitespace("")
        )
        args.append(new_arg.with_changes(whitespace_after_arg=after_arg.with_changes(first_line=cst.TrailingWhitespace())))
    else:
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")), whitespace_after_arg=cst.SimpleWhitespace("")
        )
        args.append(new_arg.with_changes(whitespace_after_arg=after_arg))
    return call.with_changes(args=args)


def _argument_indent(call: cst.Call) -> cst.SimpleWhitespace:
    """The indentation of the call's arguments when they stand one a line."""
    before = call.whitespace_before_args
    if isinstance(before, cst.ParenthesizedWhitespace):
        return before.last_line
    for arg in call.args:
        comma = arg.comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            return comma.whitespace_after.last_line
    return cst.SimpleWhitespace("    ")


def _dotted(node: cst.BaseExpression) -> bool:
    """A plain name or dotted attribute chain (``requests.get``, ``self.session.close``)."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _has_comments(statement: cst.CSTNode) -> bool:
    for line in getattr(statement, "leading_lines", ()):
        if line.comment is not None:
            return True
    trailing = getattr(statement, "trailing_whitespace", None)
    return bool(trailing is not None and trailing.comment is not None)


def _dropping(statements: list[cst.CSTNode], drops: set[int],
              moved: int | None = None) -> tuple[list[cst.CSTNode], list[cst.EmptyLine]]:
    """``(kept, left)``: ``statements`` without those at ``drops`` (and at ``moved``, whose
    comments go with it elsewhere); the comments of a dropped statement (above it and after it
    on its line) move to the next statement kept, so no comment is lost; ``left``: those with no
    statement after them, for the block's footer."""
    kept: list[cst.CSTNode] = []
    carried: list[cst.EmptyLine] = []
    for i, statement in enumerate(statements):
        if i == moved:
            continue
        if i in drops:
            carried += [line for line in getattr(statement, "leading_lines", ()) if line.comment is not None]
            trailing = getattr(statement, "trailing_whitespace", None)
            if trailing is not None and trailing.comment is not None:
                carried.append(cst.EmptyLine(comment=trailing.comment))
            continue
        if carried:
            statement = statement.with_changes(leading_lines=[*statement.leading_lines, *carried])
            carried = []
        kept.append(statement)
    return kept, carried


def _has_comments_in_footer(block: cst.IndentedBlock) -> bool:
    return any(line.comment is not None for line in block.footer)


# -- writing ------------------------------------------------------------------------------


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` through a temporary file in the same folder, keeping its mode.

    An interrupted run leaves either the old file or the new one, never a mix.
    """
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=".httplint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
