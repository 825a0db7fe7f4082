"""Work-arounds for bugs of the pinned Textual (8.2.8) that a user keeping ``iox`` open for hours would feel.

``StylesCache.get_inner_outer`` (Textual's ``_styles_cache.py``; upstream: Textualize/textual issue #6665,
open) is an instance method under ``functools.lru_cache(1024)`` whose first parameter is named ``cls`` as
if it were a class method: the cache's key holds ``self``, a widget's ``StylesCache`` with every line the
widget last rendered (its ``Strip``s, each with seven small caches of its own). So up to 1,024 closed
widgets' rendered lines stayed reachable after their widgets were gone: each ``ctrl+p``/``esc`` left the
palette's six (+2,300 objects; +46,000 live objects after 20 opens in a pilot test), each visit of the
demo's errors screen ~+5,500 until the cache was full (+210,000), and every full collection walked them
(``bench/gc_stall.py``: in the real ``iox``, full collections grew from 7-12 ms to 30-36 ms over 8 s of
palette keys). The two styles it returns depend on the two colours only, so the same function, cached on
the colours alone, keeps nothing of a widget.

Remove this module when Textual fixes it: ``unpin_closed_widgets`` then finds no instance-keyed cache and
does nothing, and ``tests/tui/test_no_growth.py`` keeps checking the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style

INNER_OUTER_CACHE = 1024
"""Entries of the colours-only cache: Textual's own size for it."""


def unpin_closed_widgets() -> bool:
    """Make ``StylesCache.get_inner_outer`` cache on its two colours only (see the module); idempotent.

    Textual's own function body is kept (``__wrapped__``: its ``cls`` argument is never read). Returns True
    if it replaced Textual's method now, False if there was nothing to replace (done already, or a Textual
    whose method is no longer an instance-keyed ``lru_cache``).
    """
    current = StylesCache.__dict__.get("get_inner_outer")
    if current is None or isinstance(current, (staticmethod, classmethod)):
        return False
    compute: Callable[[object, Color, Color], tuple[Style, Style]] | None = getattr(current, "__wrapped__",
                                                                                    None)
    if compute is None or not hasattr(current, "cache_clear"):
        return False

    @lru_cache(maxsize=INNER_OUTER_CACHE)
    def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
        return compute(None, base_background, background)

    current.cache_clear()  # what it pinned so far goes now
    StylesCache.get_inner_outer = staticmethod(inner_outer)  # type: ignore[method-assign,assignment]
    return True
