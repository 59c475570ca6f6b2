"""Ownership across modules: the fixture package `tests/fixtures/project/shop`, the project index,
astroid's part, and the same answers when the HTTP libraries are not installed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from httplint.config import load
from httplint.engine import Linter
from httplint.project import ProjectIndex, module_name, top_package

PACKAGE = Path(__file__).parent / "fixtures" / "project" / "shop"
MARK = re.compile(r"#\s*error:\s*(?P<codes>HTL\d{3}(?:\s*,\s*HTL\d{3})*)")


def expected() -> set[tuple[str, int, str]]:
    marks = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = MARK.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    marks.add((path.name, number, code))
    return marks


def found(*extra: str) -> set[tuple[str, int, str]]:
    result = subprocess.run(
        [sys.executable, *extra, "-m", "httplint", "--select", "ALL", "--format", "json", str(PACKAGE)],
        capture_output=True, text=True, check=False,
    )
    return {(Path(r["path"]).name, r["line"], r["code"]) for r in json.loads(result.stdout)}


def test_package_findings_match_the_marks() -> None:
    assert found() == expected()
    assert len(expected()) >= 10


BLOCK = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('requests', 'httpx', 'aiohttp', 'urllib3'):\n"
    "            raise ImportError(f'{name} is not installed here')\n"
    "sys.meta_path.insert(0, Block())\n"
    "import runpy; sys.argv = ['httplint', *sys.argv[1:]]\n"
    "runpy.run_module('httplint', run_name='__main__')\n"
)


def test_same_answers_without_the_http_libraries() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK, "--select", "ALL", "--format", "json", str(PACKAGE)],
        capture_output=True, text=True, check=False,
    )
    assert "Traceback" not in result.stderr
    records = {(Path(r["path"]).name, r["line"], r["code"]) for r in json.loads(result.stdout)}
    assert records == expected()


def test_index_facts() -> None:
    index = ProjectIndex()
    facts = index.facts_for(str(PACKAGE / "services.py"))
    assert set(facts.factories) == {
        "shop.http.make_session", "shop.http.make_client", "shop.http._new_client", "shop.http.session_for_worker",
    }
    # astroid is asked only when a checked module calls the function
    undecided_http = {name for name in facts.undecided if name.startswith("shop.http.")}
    assert undecided_http == {"shop.http.pooled_session"} and facts.inferred == 0
    linter = Linter(load(start=PACKAGE))
    linter.check_path(str(PACKAGE / "models.py"))  # calls nothing undecided: astroid not asked
    assert "shop.http.pooled_session" in linter.project.facts_for(str(PACKAGE / "models.py")).undecided
    linter.check_path(str(PACKAGE / "services.py"))
    facts = linter.project.facts_for(str(PACKAGE / "services.py"))
    assert "shop.http.pooled_session" in facts.factories and "shop.http.pooled_session" not in facts.undecided
    assert set(facts.subclasses) == {
        "shop.http.ShopSession", "shop.http.TimeoutSession", "shop.http.ShopAio", "shop.http.CatalogSession"
    }
    assert "shop.http.registered_client" not in facts.factories  # also handed to a registry
    assert "shop.http.session_or_new" not in facts.factories  # returns the caller's session when given
    assert "shop.http.shared_session" not in facts.factories  # memoised: a singleton
    assert "shop.http.client_context" not in facts.factories  # a context manager
    assert set(facts.response_factories) == {"shop.http.open_stream"}
    assert facts.subclasses["shop.http.TimeoutSession"].overrides_request
    assert not facts.subclasses["shop.http.ShopSession"].overrides_request
    assert facts.inferred == 1  # pooled_session: `_configure(requests.Session(), size)` returns its argument


def test_astroid_is_what_follows_a_helper_that_returns_its_argument() -> None:
    line = next(i for i, text in enumerate((PACKAGE / "services.py").read_text().splitlines(), 1)
                if "pooled_session(20)" in text)
    without = {d.line for d in Linter(load(start=PACKAGE), use_astroid=False).check_path(str(PACKAGE / "services.py")) if d.code == "HTL104"}
    assert line not in without and 12 in without
    assert line in {d.line for d in Linter(load(start=PACKAGE)).check_path(str(PACKAGE / "services.py")) if d.code == "HTL104"}


def test_module_names() -> None:
    assert top_package(str(PACKAGE / "services.py")) == PACKAGE
    assert module_name(str(PACKAGE / "services.py")) == ("shop.services", False)
    assert module_name(str(PACKAGE / "__init__.py")) == ("shop", True)
    assert top_package(__file__) is None


def test_astroid_is_loaded_only_when_a_check_asks() -> None:
    """The shop package has a function only astroid can decide: checking a module that does not
    call it (models.py), or a folder without one, never imports astroid; services.py does."""
    script = (
        "import sys; from httplint.cli import main; main(['--no-cache', '-j1', *sys.argv[1:]]); "
        "print('astroid' in sys.modules, file=sys.stderr)"
    )

    def loads_astroid(*paths: str) -> str:
        result = subprocess.run([sys.executable, "-c", script, *paths], capture_output=True, text=True, check=False)
        return result.stderr.strip().splitlines()[-1]

    assert loads_astroid(str(PACKAGE / "models.py")) == "False"
    assert loads_astroid(str(Path(__file__).parents[1] / "examples" / "weather_service")) == "False"
    assert loads_astroid(str(PACKAGE / "services.py")) == "True"


FETCHER = PACKAGE.parent / "fetcher"


def test_a_socket_timeout_set_anywhere_in_the_package_bounds_the_stdlib() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "httplint", "--select", "ALL", "--format", "json", str(FETCHER)],
        capture_output=True, text=True, check=False,
    )
    found = {(Path(r["path"]).name, r["line"], r["code"]) for r in json.loads(result.stdout)}
    marks = set()
    for path in sorted(FETCHER.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = MARK.search(line)
            if match:
                marks |= {(path.name, number, code) for code in re.split(r"\s*,\s*", match.group("codes"))}
    assert found == marks and marks
    # without the entry point's call, the same module is reported
    source = (FETCHER / "extractors.py").read_bytes()
    from httplint.engine import check_source, select_rules

    alone = {(d.line, d.code) for d in check_source(source, "extractors.py", select_rules(["HTL301"]))}
    assert {line for line, _ in alone} >= {9, 14, 24}


def test_on_demand_index_reads_only_the_import_closure_and_agrees_with_the_whole_package() -> None:
    """The flake8 plugin's index (``on_demand``): the facts for a module come from the modules it
    imports, directly or not, and are the whole-package index's for every name it can refer to;
    a module that imports nothing of its package gets no other module's facts."""
    whole = ProjectIndex().facts_for(str(PACKAGE / "services.py"))
    lazy = ProjectIndex(on_demand=True)
    facts = lazy.facts_for(str(PACKAGE / "services.py"))
    assert set(facts.factories) <= set(whole.factories) and facts.factories
    assert {name for name in whole.factories if name.startswith("shop.http.")} <= set(facts.factories)
    assert set(facts.subclasses) == {name for name in whole.subclasses if name.startswith("shop.http.")}
    for path in sorted(PACKAGE.glob("*.py")):
        linter = Linter(load(start=PACKAGE))
        on_demand = Linter(load(start=PACKAGE))
        on_demand.project = ProjectIndex(on_demand.knowledge, on_demand=True)
        assert on_demand.check_path(str(path)) == linter.check_path(str(path)), path.name


def test_imported_names_reads_every_import_form() -> None:
    from httplint.project import imported_names

    source = (
        b"import os, shop.http as h\n"
        b"from . import models, billing as b\n"
        b"from .. import outside\n"
        b"from .http import (\n    make_session,  # a comment\n    ShopSession as S,\n)\n"
        b"from shop.util import \\\n    first, second\n"
        b"def late():\n    import shop.lazy\n"
    )
    names = imported_names(source, "shop.services", False)
    assert {"os", "shop", "shop.http", "shop.models", "shop.billing", "shop.http.make_session",
            "shop.http.ShopSession", "shop.util.first", "shop.util.second", "shop.lazy"} <= names
    assert "outside" not in names and "shop.outside" not in names  # above the top package: dropped
    assert imported_names(source, "shop", True) >= {"shop.models", "shop.http"}


def test_imported_edges_say_what_each_statement_binds() -> None:
    from httplint.project import SUBMODULE, imported_edges

    source = (
        b"import shop.http as h, shop.util\n"
        b"from . import models\n"
        b"from .http import make_session as make, Shop\n"
        b"from .api import *\n"
    )
    edges = set(imported_edges(source, "shop.services", False))
    assert {("shop.http", "h", None), ("shop.util", "shop", None), ("shop", "models", "models"),
            ("shop.models", "models", SUBMODULE), ("shop.http", "make", "make_session"),
            ("shop.http.make_session", "make", SUBMODULE), ("shop.http", "Shop", "Shop"),
            ("shop.api", None, None)} <= edges


def test_on_demand_index_goes_through_an_init_only_for_the_names_its_importers_use(tmp_path) -> None:
    """An ``__init__`` that imports every module of a generated SDK is a way through, not a
    reason to read them all: the on-demand index follows the imports binding a name the
    importing modules' text contains, and every import of a module it indexes."""
    package = tmp_path / "sdk"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from .models import *\nfrom .client import make_client\nfrom .other import unused_thing\n"
    )
    (package / "models" / "__init__.py").write_text("from .pet import Pet\nfrom .order import Order\n")
    (package / "models" / "pet.py").write_text("class Pet:\n    pass\n")
    (package / "models" / "order.py").write_text("class Order:\n    pass\n")
    (package / "other.py").write_text("import requests\ndef unused_thing():\n    return requests.Session()\n")
    (package / "client.py").write_text(
        "import requests\nfrom .helpers import tune\n\n\ndef make_client():\n    return requests.Session()\n\n\n"
        "def tuned():\n    return tune(1)\n"
    )
    (package / "helpers.py").write_text("def tune(session):\n    return session\n")
    (package / "app.py").write_text(
        "from sdk import Pet, make_client\n\n\ndef fetch(url):\n    s = make_client()\n    return s.get(url, timeout=5), Pet()\n"
    )
    lazy = ProjectIndex(on_demand=True)
    facts = lazy.facts_for(str(package / "app.py"))
    whole = ProjectIndex().facts_for(str(package / "app.py"))
    assert "sdk.client.make_client" in facts.factories and "sdk.other.unused_thing" in whole.factories
    reached = {Path(p).relative_to(package).as_posix() for p in lazy._walked[package]}
    # `Pet` through the star import, `make_client` and everything its module imports
    assert reached == {"app.py", "__init__.py", "models/__init__.py", "models/pet.py", "client.py", "helpers.py"}
    for name in ("app.py", "client.py"):
        linter = Linter(load(start=package))
        on_demand = Linter(load(start=package))
        on_demand.project = ProjectIndex(on_demand.knowledge, on_demand=True)
        assert on_demand.check_path(str(package / name)) == linter.check_path(str(package / name)), name


def test_returning_an_instance_of_a_plain_local_class_is_decided_without_astroid(tmp_path) -> None:
    """A function that builds a client but returns an instance of a class of its own module
    deriving from nothing a client could come from is no factory: astroid is not asked. A class
    deriving from a project or library class still leaves the question open."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "stream.py").write_text(
        "from typing import Generic, TypeVar\n"
        "import requests\n"
        "T = TypeVar('T')\n"
        "class Listener(Generic[T]):\n"
        "    def __init__(self, s):\n"
        "        self.s = s\n"
        "class Wrapped(requests.Session):\n"
        "    pass\n"
        "def plain(url):\n"
        "    client = requests.Session()\n"
        "    listener = Listener(client.get(url))\n"
        "    return listener\n"
        "def derived(url):\n"
        "    client = requests.Session()\n"
        "    other = Other(client)\n"
        "    return other\n"
        "class Other(Base):\n"
        "    pass\n"
        "from .base import Base\n"
    )
    facts = ProjectIndex().facts_for(str(package / "stream.py"))
    assert "app.stream.plain" not in facts.undecided and "app.stream.plain" not in facts.factories
    assert "app.stream.derived" in facts.undecided


LATE_FACT = {
    "__init__.py": "",
    # checked, in the order of the names, before the module that defines its factory is read
    "a_client.py": (
        "import requests\nfrom pkg.z_factory import make_session\n\n\ndef fetch(url):\n"
        "    session = make_session()\n    return session.get(url, timeout=5).json()\n\n\n"
        "def ping(url):\n    with requests.Session() as s:\n        return s.head(url, timeout=5).status_code\n"
    ),
    "z_factory.py": (
        "import requests\n\n\ndef make_session():\n    session = requests.Session()\n"
        "    session.headers['x'] = 'y'\n    return session\n"
    ),
}


def _results(folder: Path, order=None, monkeypatch=None) -> tuple[dict[str, list], int, int]:
    """The findings (every rule) of the package ``folder``, checked during the index build
    (``order``: the order the build reads the modules in, default its own) or, with ``order``
    False, after it; and how many checks were made during the build, and how many stood."""
    from httplint import project, runner

    linter = Linter(load(start=folder), select=["ALL"])
    paths = sorted(str(p) for p in folder.glob("*.py"))
    task = next(t for t in runner.plan(runner.scan(linter, paths, False), set(paths)) if t.top)
    top = Path(task.top)
    if order is False:
        linter.project.build_from(top, task.index)
        return {Path(p).name: linter.check_path(p) for p in task.check}, 0, 0
    if order is not None:
        monkeypatch.setattr(project, "dependency_order", order)
    _, stand = linter.project.build_checking(top, task.index, set(task.check), linter.check_source)
    made = len(set(task.index) & set(task.check))
    results = {Path(p).name: stand[p] if p in stand else linter.check_path(p) for p in task.check}
    return results, made, len(stand)


def test_a_check_made_before_a_fact_it_names_is_found_is_made_again(tmp_path, monkeypatch) -> None:
    """Checked on the index's parse, a module read before the one that defines its factory is
    checked again once the fact is found; in dependency order it is read after it, and its
    first check stands. Either way: the findings of checking after the whole build."""
    package = tmp_path / "pkg"
    package.mkdir()
    for name, text in LATE_FACT.items():
        (package / name).write_text(text)
    after, _, _ = _results(package, order=False)
    assert [(d.line, d.code) for d in after["a_client.py"]] == [(6, "HTL102"), (11, "HTL102")]
    during, made, stand = _results(package)
    assert during == after and made == stand == 2
    during, made, stand = _results(package, lambda paths: sorted(paths), monkeypatch)
    assert during == after and (made, stand) == (2, 1)


def test_shop_findings_are_the_same_checked_during_the_index_build(monkeypatch) -> None:
    """Whatever order the build reads the modules in (astroid's functions, factories, subclasses,
    wrappers and producers across modules)."""
    after, _, _ = _results(PACKAGE, order=False)
    assert sum(len(found) for found in after.values()) >= 8
    for order in (None, lambda paths: list(reversed(paths)), lambda paths: sorted(paths)):
        assert _results(PACKAGE, order, monkeypatch)[0] == after


def test_dependency_order_puts_a_module_after_what_it_imports(tmp_path) -> None:
    from httplint.project import dependency_order

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .b import thing\n")
    (package / "a.py").write_text("from pkg.c import helper\n")
    (package / "b.py").write_text("from . import c\nimport pkg.a\n")
    (package / "c.py").write_text("x = 1\n")
    (package / "d.py").write_text("from .e import y  # a cycle: d -> e -> d\n")
    (package / "e.py").write_text("from .d import z\n")
    paths = [str(package / name) for name in ("__init__.py", "a.py", "b.py", "c.py", "d.py", "e.py")]
    order = [Path(p).name for p in dependency_order(paths)]
    assert order == ["c.py", "a.py", "b.py", "__init__.py", "e.py", "d.py"]  # the cycle cut where it closes


def test_each_module_is_parsed_once_with_no_parse_kept(tmp_path, monkeypatch) -> None:
    """Checked on the index's parse as the build goes, a module needs no parse kept for its
    check: with no room to keep any, each module of a package that defines no factory is still
    parsed once (a fact found makes the build read the modules that name it again)."""
    from collections import Counter

    from httplint import engine, project, runner

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("a.py", "b.py"):
        (package / name).write_text(
            "import requests\n\n\ndef fetch(url):\n    with requests.Session() as s:\n"
            "        return s.get(url).json()\n"
        )
    parses: Counter[str] = Counter()

    def counting(source, filename="<unknown>"):
        parses[Path(filename).name] += 1
        return project_parse(source, filename=filename)

    project_parse = project.parse
    monkeypatch.setattr(project, "parse", counting)
    monkeypatch.setattr(engine, "parse", counting)
    monkeypatch.setattr(project, "KEEP_TREES_BUDGET", 0)
    linter = Linter(load(start=package), select=["ALL"])
    paths = sorted(str(p) for p in package.glob("*.py"))
    task = next(t for t in runner.plan(runner.scan(linter, paths, False), set(paths)) if t.top)
    found = dict(runner.run_package(linter, task))
    assert {d.code for d in found[str(package / "a.py")]} == {"HTL102", "HTL301"}
    assert parses == Counter({"a.py": 1, "b.py": 1})
