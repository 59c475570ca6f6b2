"""The walk's ``.gitignore`` shortcut (:class:`httplint.files._Ignore` via :func:`httplint.files.gitignore_matcher`)
answers as ``pathspec`` does for every path."""

from __future__ import annotations

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from httplint.files import gitignore_matcher

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
