"""``[tool.httplint]`` from the nearest ``pyproject.toml`` (or ``--config PATH``).

Keys (kebab-case, as ruff and flake8 users write them):

``select``, ``ignore``, ``extend-select``
    lists of rule codes or prefixes (``"HTL1"``, ``"ALL"``). The longest matching
    prefix decides, and on a tie ``ignore`` wins (flake8's rule).
``per-file-ignores``
    a table: glob pattern (gitignore syntax, relative to the configuration's folder) →
    list of codes or prefixes ignored in matching files.
``exclude``, ``extend-exclude``
    lists of gitignore-style patterns, relative to the configuration's folder, for
    folders and files skipped when walking. ``exclude`` replaces the defaults
    (``.git``, virtualenvs, caches …); ``extend-exclude`` adds to them.
``unsafe-fixes``
    ``true`` to apply unsafe fixes with ``--fix`` (as ``--unsafe-fixes``).
``fix-timeout``
    seconds, a positive number: the timeout a fix inserts where one is missing.
``client-factories``
    a table: a project's own callable that returns a new client (qualified name, such as
    ``"myproject.http.make_session"``, or a plain function name for one defined in the
    same module) → the client type it returns (``"requests.Session"``, ``"httpx.Client"``
    …). Calls of it are then followed like the library's constructors.
``test-files``
    gitignore-style patterns (relative to the configuration's folder) for test code; the
    default is :data:`DEFAULT_TEST_FILES` (``test_*.py``, ``*_test.py``, ``conftest.py`` and
    files under a ``tests/`` or ``test/`` folder).
``test-rules``
    ``"runtime"`` (the default): in test files report only what breaks or warns in the test
    run itself (rules whose ``in_tests`` is ``"always"``, and clients left open that warn
    when collected); ``"all"``: every selected rule, as in shipped code.

An unknown key or a bad value raises :class:`ConfigError` naming the key and the file.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .files import SKIPPED_DIRS, FolderNames, absolute_folder, excluded, has_file

if TYPE_CHECKING:
    import pathspec

    from . import libraries as lib

# pathspec, tomllib and the library tables are imported where first needed: a warm run, whose
# configuration names no pattern and which reads no ``[tool.httplint]`` table, needs none of them


def _tomllib():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10
        import tomli as tomllib
    return tomllib

SECTION = ("tool", "httplint")
#: Files treated as test code unless ``test-files`` says otherwise (pytest's and unittest's
#: discovery names, and the usual test folders).
DEFAULT_TEST_FILES = ("test_*.py", "*_test.py", "conftest.py", "tests/", "test/")
TEST_RULES = ("runtime", "all")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    """The resolved configuration.

    Attributes:
        path: the configuration file, or ``None`` for defaults.
        root: the folder patterns are relative to (the file's folder, else the working folder).
    """

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    fix_timeout: float = 10.0
    client_factories: tuple[tuple[str, str], ...] = ()
    test_files: tuple[str, ...] | None = None
    test_rules: str = "runtime"

    @property
    def knowledge(self) -> lib.Knowledge:
        from . import libraries as lib

        return lib.Knowledge(
            tuple((name, lib.OWNER_TYPES[kind]) for name, kind in self.client_factories), self.fix_timeout
        )

    def excluded_spec(self) -> pathspec.PathSpec | FolderNames:
        """Patterns for walked files and folders to skip: a :class:`~httplint.files.FolderNames`
        when every one is a plain ``name/`` (the default), else a ``pathspec`` spec."""
        defaults = [f"{name}/" for name in sorted(SKIPPED_DIRS)] if self.exclude is None else list(self.exclude)
        patterns = (*defaults, *self.extend_exclude)
        return FolderNames.of(patterns) or _spec(patterns)

    def is_excluded(self, path: str) -> bool:
        """``path`` (or a folder above it, up to ``root``) matches the exclude patterns; a path
        outside ``root`` is not excluded."""
        return excluded(path, self.excluded_spec(), str(self.root))

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """The per-file ignores that apply to ``path``."""
        relative = _relative(path, self.root)
        if relative is None:
            return ()
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores:
            if _spec((pattern,)).match_file(relative):
                codes.extend(ignored)
        return tuple(codes)

    def is_test_file(self, path: str) -> bool:
        """``path`` matches ``test-files`` (relative to ``root``; a path outside it is matched whole)."""
        relative = _relative(path, self.root)
        if relative is None:
            relative = Path(os.path.abspath(path)).as_posix().lstrip("/")
        return _spec(self.test_files if self.test_files is not None else DEFAULT_TEST_FILES).match_file(relative)

    @property
    def quiet_in_tests(self) -> bool:
        """Test files get only the rules for what breaks or warns in the test run (``test-rules = "runtime"``)."""
        return self.test_rules == "runtime"

    def show(self) -> str:
        """The resolved settings, one ``key = value`` a line (``--show-settings``)."""
        lines = [f"config = {str(self.path) if self.path else '(defaults)'}", f"root = {self.root}"]
        for key in ("select", "ignore", "extend_select", "per_file_ignores", "exclude", "extend_exclude",
                    "unsafe_fixes", "fix_timeout", "client_factories", "test_files", "test_rules"):
            value = getattr(self, key)
            if key == "test_files" and value is None:
                value = DEFAULT_TEST_FILES
            lines.append(f"{key.replace('_', '-')} = {_show(value)}")
        if self.quiet_in_tests:
            lines.append("# in test files only rules for what breaks or warns in the test run are reported")
            lines.append('# (see "Test files" in the README); test-rules = "all" reports every rule there')
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(default)"
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return "{" + ", ".join(f"{k!r} = {_show(v) if isinstance(v, tuple) else repr(v)}" for k, v in value) + "}"
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value).lower() if isinstance(value, bool) else repr(value)


@functools.lru_cache(maxsize=16)
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _relative(path: str, root: Path) -> str | None:
    try:
        return Path(os.path.abspath(path)).relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.httplint]`` table.

    Raises:
        ConfigError: such a file does not parse.
    """
    current = start.resolve()
    for folder in (current, *current.parents):
        candidate = _config_in(folder)
        if candidate is not None:
            return candidate
    return None


def _config_in(folder: str | Path) -> Path | None:
    """``folder/pyproject.toml`` when it has a ``[tool.httplint]`` table.

    Raises:
        ConfigError: it mentions ``[tool.httplint`` and does not parse.
    """
    if not has_file(str(folder), "pyproject.toml"):  # asked of every folder of a run: the walk's listing
        return None
    name = os.path.join(folder, "pyproject.toml")
    candidate = Path(name)
    try:
        text = candidate.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "httplint" not in text:
        return None
    tomllib = _tomllib()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        if "[tool.httplint" in text:
            raise ConfigError(f"{candidate}: invalid TOML: {error}") from None
        return None  # a broken file that is not ours to judge
    if isinstance(data.get("tool"), dict) and "httplint" in data["tool"]:
        return candidate
    return None


class UsageError(Exception):
    """A bad option value: the message says which."""


def split_codes(codes: Iterable[str] | None) -> list[str]:
    """Rule selectors as given (``["HTL1,HTL201", "htl3"]``), one code prefix each, upper case."""
    parts: list[str] = []
    for item in codes or ():
        parts.extend(p.strip().upper() for p in item.split(",") if p.strip())
    return parts


def selection(
    settings: Settings, select: Iterable[str] | None, ignore: Iterable[str] | None, extend_select: Iterable[str] | None
) -> tuple[list[str], list[str], list[str]]:
    """The run's ``(select, ignore, extend_select)`` code prefixes: command-line ``select``
    replaces the configuration's, ``ignore`` and ``extend_select`` add to it."""
    return (split_codes(select) or list(settings.select or ()), [*settings.ignore, *split_codes(ignore)],
            [*settings.extend_select, *split_codes(extend_select)])


def selection_key(
    settings: Settings, select: Iterable[str] | None, ignore: Iterable[str] | None, extend_select: Iterable[str] | None
) -> str:
    """Everything besides a file that decides its findings: the configuration and the rule
    :func:`selection`, as a string for the result cache's key
    (:meth:`httplint.engine.Linter.cache_key`)."""
    return repr((settings, *selection(settings, select, ignore, extend_select)))


class SettingsFinder:
    """The settings of each file: the nearest ``[tool.httplint]`` at or above the file's folder
    (a monorepo's packages, an editor started elsewhere, an absolute path from another folder),
    else ``fallback``, what the working folder resolves to. With ``fixed`` (``--config``) every
    file gets ``fallback``. Lookups are cached per folder; each configuration is read once.

    Raises (from :meth:`for_path`):
        ConfigError: the configuration that applies cannot be used.
    """

    def __init__(self, fallback: Settings, fixed: bool = False) -> None:
        self.fallback = fallback
        self.fixed = fixed
        self._nearest: dict[str, Path | None] = {}
        self._loaded: dict[Path, Settings] = {fallback.path: fallback} if fallback.path else {}
        self._by_folder: dict[str, Settings] = {}  # by folder as given (httplint never changes folder)

    def for_path(self, path: str) -> Settings:
        if self.fixed:
            return self.fallback
        key = os.path.dirname(path)
        settings = self._by_folder.get(key)
        if settings is not None:
            return settings
        config = self._config_above(absolute_folder(key))
        if config is None:
            settings = self.fallback
        else:
            settings = self._loaded.get(config)
            if settings is None:
                settings = self._loaded[config] = load(config)
        self._by_folder[key] = settings
        return settings

    def _config_above(self, folder: str) -> Path | None:
        pending = []
        current = folder
        while current not in self._nearest:
            pending.append(current)
            found = _config_in(current)
            if found is not None:
                self._nearest[current] = found.resolve()
                break
            parent = os.path.dirname(current)
            if parent == current:
                self._nearest[current] = None
                break
            current = parent
        result = self._nearest[current]
        for folder_ in pending:
            self._nearest[folder_] = result
        return result


def load(path: Path | None = None, start: Path | None = None) -> Settings:
    """Read and validate the configuration: ``path`` if given, else the nearest one above ``start``.

    Raises:
        ConfigError: the file cannot be read or parsed, a key is unknown, or a value is bad.
    """
    if path is None:
        path = find_config(start or Path.cwd())
        if path is None:
            return Settings(root=(start or Path.cwd()).resolve())
    tomllib = _tomllib()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8: {error.reason}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table: Any = data
    for key in SECTION:
        table = table.get(key, {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.httplint] must be a table")
    return _parse(table, path)


def _parse(table: dict[str, Any], path: Path) -> Settings:
    values: dict[str, Any] = {}
    for key, value in table.items():
        parser = _KEYS.get(key)
        if parser is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{path}: unknown key '{key}' in [tool.httplint] (known keys: {known})")
        try:
            values[key.replace("-", "_")] = parser(value)
        except ValueError as error:
            raise ConfigError(f"{path}: [tool.httplint] '{key}': {error}") from None
    return Settings(path=path, root=path.parent.resolve(), **values)


def _codes(value: Any) -> tuple[str, ...]:
    from .rules import RULES

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of rule codes or prefixes, got {value!r}")
    for code in value:
        if code != "ALL" and not any(rule.startswith(code) for rule in RULES):
            raise ValueError(f"{code!r} matches no rule")
    return tuple(value)


def _patterns(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of path patterns, got {value!r}")
    return tuple(value)


def _per_file(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a table of pattern = [codes], got {value!r}")
    return tuple((pattern, _codes(codes)) for pattern, codes in value.items())


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 86400:
        raise ValueError(f"expected a number of seconds greater than 0, got {value!r}")
    return float(value)


def _factories(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a table of callable = client type, got {value!r}")
    from . import libraries as lib

    result = []
    for name, kind in value.items():
        if not isinstance(kind, str) or kind not in lib.OWNER_TYPES:
            known = ", ".join(sorted(lib.OWNER_TYPES))
            raise ValueError(f"{name!r}: {kind!r} is not a client type (one of: {known})")
        if not name or not all(part.isidentifier() for part in name.split(".")):
            raise ValueError(f"{name!r} is not a dotted name")
        result.append((name, kind))
    return tuple(result)


def _test_rules(value: Any) -> str:
    if value not in TEST_RULES:
        raise ValueError(f"expected one of {', '.join(repr(v) for v in TEST_RULES)}, got {value!r}")
    return value


_KEYS = {
    "select": _codes,
    "ignore": _codes,
    "extend-select": _codes,
    "per-file-ignores": _per_file,
    "exclude": _patterns,
    "extend-exclude": _patterns,
    "unsafe-fixes": _bool,
    "fix-timeout": _seconds,
    "client-factories": _factories,
    "test-files": _patterns,
    "test-rules": _test_rules,
}
