"""The walk's ``.gitignore`` shortcut (:class:`httplint.files._Ignore` via :func:`httplint.files.gitignore_matcher`)
and its plain folder-name excludes (:class:`httplint.files.FolderNames`) answer as ``pathspec``
does for every path; folder listings and what they remember are reused only while valid."""

from __future__ import annotations

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from httplint.files import SKIPPED_DIRS, FolderNames, gitignore_matcher

# GitHub's Python template, abridged, with negations, anchors, globs and folder-only patterns
GITIGNORE = """
__pycache__/
*.py[cod]
*$py.class
*.so
build/
/dist/
*.egg-info/
.tox/
docs/_build/
!docs/_build/keep.py
**/generated/*.py
tests/**/fixtures/
secret?.py
[Ll]ocal/
.env
*.ipynb
!important.ipynb
/top_only.py
"""

SEGMENTS = st.sampled_from(
    ["pkg", "tests", "build", "dist", "docs", "_build", "keep.py", "generated", "fixtures", "secret1.py",
     "secret12.py", "local", "Local", "mod.py", "x.pyc", "a.so", "important.ipynb", "nb.ipynb", "top_only.py",
     ".env", "a.egg-info", "__pycache__", "deep"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(SEGMENTS, min_size=1, max_size=5), st.booleans())
def test_gitignore_shortcut_agrees_with_pathspec(parts: list[str], folder: bool) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(GITIGNORE.splitlines())
    matcher = gitignore_matcher(spec)
    path = "/".join(parts) + ("/" if folder else "")
    assert matcher.match_file(path) == spec.match_file(path), path


def test_gitignore_shortcut_is_used_for_the_template() -> None:
    """The shortcut is built for ordinary patterns (else the agreement above would be vacuous)."""
    spec = pathspec.GitIgnoreSpec.from_lines(GITIGNORE.splitlines())
    assert gitignore_matcher(spec).any is not None


EXCLUDE_NAMES = sorted(SKIPPED_DIRS | {"my build", "x"})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*EXCLUDE_NAMES, "pkg", "mod.py", "venv.py", "my", "build", ".git.py"]),
                min_size=1, max_size=5), st.booleans())
def test_folder_names_agree_with_pathspec(parts: list[str], folder: bool) -> None:
    patterns = tuple(f"{name}/" for name in EXCLUDE_NAMES)
    names = FolderNames.of(patterns)
    assert names is not None
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    path = "/".join(parts) + ("/" if folder else "")
    assert names.match_file(path) == spec.match_file(path), path


def test_folder_names_only_for_plain_folder_patterns() -> None:
    assert FolderNames.of(("build/", ".venv/")) is not None
    for pattern in ("*.py", "/dist/", "build", "a/b/", "!keep/", "[Bb]uild/", "**/gen/", "#x/", " lead/", "./"):
        assert FolderNames.of(("build/", pattern)) is None, pattern


def _age(root, seconds: int = 3600) -> None:
    """Move every folder's and file's modification time into the past (out of the racy window)."""
    import os
    import time

    past = time.time() - seconds
    for folder, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.utime(os.path.join(folder, name), (past, past))
    os.utime(root, (past, past))


def _walk(root, listings):
    from httplint.files import iter_python_files

    return sorted(str(p) for p in iter_python_files([str(root)], None, str(root), listings=listings))


def test_folder_listings_are_reused_and_see_changes(tmp_path) -> None:
    """A warm walk lists no unchanged folder again, and still sees a file added, removed or
    newly ignored: the folder's mtime, or its ``.gitignore``'s, tells."""
    import os

    from httplint.files import FolderListings

    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "sub" / "b.py").write_text("y = 2\n")
    (tmp_path / "pkg" / "sub" / "gen.py").write_text("z = 3\n")
    (tmp_path / "pkg" / ".gitignore").write_text("*.log\n")
    _age(tmp_path)
    first = FolderListings("k")
    files = _walk(tmp_path, first)
    assert [os.path.basename(f) for f in files] == ["a.py", "b.py", "gen.py"]
    assert len(first.current) == 3 and first.reused == 0

    again = FolderListings("k", first.current)
    assert _walk(tmp_path, again) == files
    assert again.reused == 3  # nothing listed again

    # a file added to `sub`: its folder's mtime changes, only it is listed again
    (tmp_path / "pkg" / "sub" / "c.py").write_text("w = 4\n")
    _age(tmp_path)
    third = FolderListings("k", again.current)
    assert [os.path.basename(f) for f in _walk(tmp_path, third)] == ["a.py", "b.py", "c.py", "gen.py"]

    # the .gitignore above `sub` edited in place (its folder's mtime kept): `sub` is listed again
    ignore = tmp_path / "pkg" / ".gitignore"
    ignore.write_text("*.log\ngen.py\n")
    stat = os.stat(tmp_path / "pkg")
    _age(ignore.parent / ".gitignore")
    os.utime(tmp_path / "pkg", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fourth = FolderListings("k", third.current)
    assert [os.path.basename(f) for f in _walk(tmp_path, fourth)] == ["a.py", "b.py", "c.py"]


def test_folder_listings_skip_racily_recent_folders(tmp_path) -> None:
    """A folder changed within the last two seconds is not remembered: a second change within
    the same timestamp could not be told."""
    from httplint.files import FolderListings

    (tmp_path / "a.py").write_text("x = 1\n")
    listings = FolderListings("k")
    _walk(tmp_path, listings)
    assert str(tmp_path) not in listings.current


def test_a_virtualenv_walked_as_the_root_is_not_remembered(tmp_path) -> None:
    """Named on the command line a virtualenv is walked; below another root it is skipped, also
    when an earlier run listed it as the root."""
    from httplint.files import FolderListings

    env = tmp_path / "env1"
    (env / "lib").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "lib" / "site.py").write_text("x = 1\n")
    (tmp_path / "app.py").write_text("y = 2\n")
    _age(tmp_path)
    first = FolderListings("k")
    assert len(_walk(env, first)) == 1
    second = FolderListings("k", first.current)
    assert [p.rsplit("/", 1)[-1] for p in _walk(tmp_path, second)] == ["app.py"]


def test_reused_listings_answer_which_marker_files_a_folder_holds(tmp_path) -> None:
    """``has_file`` answers ``__init__.py`` / ``pyproject.toml`` from the walk's listing, reused or
    not, and a folder that lost its ``__init__.py`` is listed again (its mtime changed)."""
    import os

    from httplint import files
    from httplint.files import FolderListings, has_file

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "pyproject.toml").mkdir()  # a folder of the name: not a file
    (tmp_path / "pyproject.toml").write_text("")
    _age(tmp_path)
    first = FolderListings("k")
    _walk(tmp_path, first)
    pkg = str(tmp_path / "pkg")
    assert has_file(pkg, "__init__.py") and not has_file(pkg, "pyproject.toml") and has_file(str(tmp_path), "pyproject.toml")
    files._MARKERS.clear()
    again = FolderListings("k", first.current)
    _walk(tmp_path, again)
    assert again.reused == 3 and files._MARKERS[pkg] == 1  # from the listing, not the file system
    assert has_file(pkg, "__init__.py") and not has_file(pkg, "pyproject.toml")

    os.remove(tmp_path / "pkg" / "__init__.py")
    os.utime(tmp_path / "pkg", (os.stat(tmp_path).st_mtime - 10,) * 2)  # out of the racy window
    third = FolderListings("k", again.current)
    _walk(tmp_path, third)
    assert third.reused == 2 and not has_file(pkg, "__init__.py")  # all but `pkg`
