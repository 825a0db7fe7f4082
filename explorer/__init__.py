"""integrator-explorer: a terminal explorer for Celigo integrator.io accounts."""

import sys

__version__ = "0.1.0"

# httpx's package __init__ imports its own command-line client (``httpx._main``: click, rich.progress,
# rich.syntax, pygments' lexer table) whenever those happen to be installed, and they are (Textual brings
# rich; our dev tools bring click). We never run httpx's CLI, and that import was ~30 ms of every ``iox``
# start-up (``python -X importtime``). A None entry in ``sys.modules`` makes the import fail with ImportError,
# which httpx catches (its ``httpx.main`` then only says the CLI extras are missing). Here, in the package's
# ``__init__``, because it must run before anything imports httpx; a process that imported httpx first keeps
# its CLI (``setdefault``).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
