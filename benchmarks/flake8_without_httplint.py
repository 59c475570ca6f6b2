"""flake8 with some of the installed plugins left out: by default httplint's.

    python benchmarks/flake8_without_httplint.py [flake8 arguments]
    HTTPLINT_BENCH_SKIP=flake8-async python benchmarks/flake8_without_httplint.py [...]

The benchmark's "flake8 + bugbear without httplint" row: the cost httplint adds to a flake8
run is this command's time against the same command keeping httplint, in one environment.
It filters the distributions named in ``HTTPLINT_BENCH_SKIP`` (comma-separated; default
``httpclint``) out of flake8's plugin discovery (``flake8.plugins.finder``).
"""

from __future__ import annotations

import os
import sys

from flake8.main.cli import main
from flake8.plugins import finder

_SKIP = {name.strip() for name in os.environ.get("HTTPLINT_BENCH_SKIP", "httpclint").split(",") if name.strip()}
_find = finder._find_importlib_plugins


def _kept():
    return (plugin for plugin in _find() if plugin.package not in _SKIP)


finder._find_importlib_plugins = _kept

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
