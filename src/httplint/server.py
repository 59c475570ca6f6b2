"""``httplint server``: a Language Server Protocol server on stdio (pygls / lsprotocol).

What it does, as ruff's server does for ruff:

- diagnostics on open, change and save, from the same engine and the configuration nearest to
  the document (:class:`httplint.config.SettingsFinder`); a linter per configuration stays warm
  between edits (its project index and the package facts it found);
- code actions: one quick fix a finding with a fix (safe ones first and preferred; unsafe ones
  marked "(unsafe)"), a "disable for this line" action that writes the ``# noqa`` code
  (:func:`httplint.noqa.add_codes`), and the source action ``source.fixAll.httplint`` that
  applies every safe fix. Each fix is applied and verified as ``--fix`` does
  (:func:`httplint.codemod.fix_one`): it parses, and re-linting shows its finding gone and
  nothing new; the edit replaces the whole document.

Positions: findings carry 1-based lines and UTF-8 byte columns; LSP positions are 0-based lines
and UTF-16 code units (the protocol's default encoding), converted on the document's text.

pygls is an optional dependency (``pip install 'httpclint[server]'``), imported only here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from . import __version__
from .config import ConfigError, Settings, SettingsFinder, load
from .engine import Linter, Linters
from .fix import Applicability
from .report import rule_url
from .rule import Diagnostic
from .rules import RULES

FIX_ALL = "source.fixAll.httplint"


class HttplintServer(LanguageServer):
    """The language server: documents' findings, kept per URI and version."""

    def __init__(self) -> None:
        super().__init__("httplint", __version__)
        self.finder: SettingsFinder | None = None
        self.linters = Linters()
        #: uri → (version, text, findings) of the last check
        self.results: dict[str, tuple[int | None, str, list[Diagnostic]]] = {}

    # -- configuration and checking ---------------------------------------------------------

    def linter_for(self, path: str) -> Linter:
        if self.finder is None:
            root = self.workspace.root_path if self.workspace is not None else None
            try:
                fallback = load(start=Path(root or os.getcwd()))
            except ConfigError as error:
                self.window_log_message(types.LogMessageParams(types.MessageType.Error, str(error)))
                fallback = Settings()
            self.finder = SettingsFinder(fallback)
        try:
            settings = self.finder.for_path(path)
        except ConfigError as error:
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, str(error)))
            settings = self.finder.fallback
        return self.linters.get(settings)

    def check(self, uri: str) -> list[Diagnostic]:
        document = self.workspace.get_text_document(uri)
        text = document.source
        path = document.path or "untitled.py"
        linter = self.linter_for(path)
        findings = linter.check_source(text.encode("utf-8"), path)
        self.results[uri] = (document.version, text, findings)
        return findings

    def publish(self, uri: str) -> None:
        findings = self.check(uri)
        _, text, _ = self.results[uri]
        lines = text.splitlines()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=self.results[uri][0], diagnostics=[to_lsp(d, lines, i) for i, d in enumerate(findings)],
        ))

    def current(self, uri: str) -> tuple[str, list[Diagnostic]]:
        document = self.workspace.get_text_document(uri)
        cached = self.results.get(uri)
        if cached is None or cached[0] != document.version or cached[1] != document.source:
            self.check(uri)
            cached = self.results[uri]
        return cached[1], cached[2]

    # -- code actions --------------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        from .codemod import fix_all_safe, fix_one
        from .noqa import add_codes

        uri = params.text_document.uri
        text, findings = self.current(uri)
        path = self.workspace.get_text_document(uri).path or "untitled.py"
        linter = self.linter_for(path)
        wanted = set(params.context.only or [])
        quick, unsafe, disable = [], [], []
        if not wanted or any(kind.startswith(types.CodeActionKind.QuickFix) for kind in wanted):
            for lsp_diagnostic in params.context.diagnostics:
                if lsp_diagnostic.source != "httplint":
                    continue
                finding = _match(lsp_diagnostic, findings)
                if finding is None:
                    continue
                if finding.fix is not None:
                    new = fix_one(text, path, finding, linter)
                    if new is not None:
                        safe = finding.fix.applicability is Applicability.SAFE
                        title = f"{finding.fix.title} ({finding.code})" + ("" if safe else " (unsafe)")
                        action = _action(title, types.CodeActionKind.QuickFix, uri, text, new, [lsp_diagnostic],
                                         preferred=safe)
                        (quick if safe else unsafe).append(action)
                if finding.code in RULES and finding.cell is None:
                    new, count = add_codes(text, {finding.line: {finding.code}})
                    if count:
                        disable.append(_action(f"Disable {finding.code} for this line", types.CodeActionKind.QuickFix,
                                               uri, text, new, [lsp_diagnostic]))
        actions = quick + unsafe + disable
        if not wanted or any(FIX_ALL.startswith(kind) for kind in wanted):
            new = fix_all_safe(text, path, linter)
            if new is not None:
                actions.append(_action("Fix all safe httplint findings", FIX_ALL, uri, text, new, []))
        return actions


def _match(lsp_diagnostic: types.Diagnostic, findings: list[Diagnostic]) -> Diagnostic | None:
    data = lsp_diagnostic.data if isinstance(lsp_diagnostic.data, dict) else {}
    index = data.get("index")
    if isinstance(index, int) and 0 <= index < len(findings):
        finding = findings[index]
        if finding.code == lsp_diagnostic.code and finding.message == lsp_diagnostic.message:
            return finding
    for finding in findings:  # the document changed since: by position, code and message
        if (finding.code == lsp_diagnostic.code and finding.message == lsp_diagnostic.message
                and finding.line - 1 == lsp_diagnostic.range.start.line):
            return finding
    return None


def _action(title: str, kind: str, uri: str, old: str, new: str, diagnostics: list[types.Diagnostic],
            preferred: bool = False) -> types.CodeAction:
    lines = old.splitlines(keepends=True)
    end = types.Position(line=len(lines), character=0)
    edit = types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=new)
    return types.CodeAction(title=title, kind=kind, diagnostics=diagnostics or None, is_preferred=preferred or None,
                            edit=types.WorkspaceEdit(changes={uri: [edit]}))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_lsp(d: Diagnostic, lines: list[str], index: int) -> types.Diagnostic:
    """A finding as an LSP diagnostic: from its column to the end of the line's code, in UTF-16
    units; ``data`` keeps its index in the document's findings for the code actions."""
    line_number = max(d.line - 1, 0)
    text = lines[line_number] if line_number < len(lines) else ""
    start = _utf16(text.encode("utf-8")[: d.column].decode("utf-8", errors="replace"))
    end = max(_utf16(text.rstrip()), start + 1)
    is_rule = d.code in RULES
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=line_number, character=start),
                          end=types.Position(line=line_number, character=end)),
        message=d.message,
        severity=types.DiagnosticSeverity.Warning if is_rule else types.DiagnosticSeverity.Error,
        code=d.code,
        code_description=types.CodeDescription(href=rule_url(d.code)) if is_rule else None,
        source="httplint",
        data={"index": index, "fixable": d.fix is not None},
    )


def build() -> HttplintServer:
    server = HttplintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: HttplintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: HttplintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: HttplintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: HttplintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.results.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                            diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: HttplintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    return server


def main() -> int:
    """Serve on stdin/stdout until the client exits."""
    build().start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
