"""The editor form of a document (``json.dumps(indent=2)`` lines), rebuilt cheaply after a small edit.

Why: Python's ``json`` has no C encoder for ``indent``, so formatting a 2 MB document takes about 0.2 s, and
the diff/confirm screen needs the editor form of the edited document on every submit. The base document's
lines are known, and an edit usually touches a few lines. :meth:`CanonicalLines.derive` finds the smallest
container of the base that encloses every changed line of the user's text, parses just that container's new
text and formats only it. JSON is compositional (same text before, one complete value, same text after), so
the result is exactly ``json.dumps(doc, indent=2, ensure_ascii=False)`` of the whole edited document — the
tests check this against a full dump.

The editor form writes characters a terminal or a line splitter would act on — DEL and C1 controls (U+0085 and
CSI U+009B among them), U+2028/U+2029, bidi overrides and zero-width marks — as ``\\uXXXX`` escapes. The
document is the same JSON value; the text stays one line per value for Python's ``splitlines``, the
TextArea and the terminal, and server text cannot reorder or recolour what the user sees.
"""

from __future__ import annotations

import json
import json.decoder
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from explorer.textsafe import escape_json

INDENT = 2
"""Spaces per nesting level of the editor form."""

# Decodes one JSON string starting after its opening quote; the C scanner of the json module.
scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

def dump_text(doc: Any) -> str:
    """The editor form of ``doc`` as one string (see the module docstring for the escapes)."""
    return escape_json(json.dumps(doc, indent=INDENT, ensure_ascii=False))


def dump_lines(doc: Any, depth: int = 0) -> list[str]:
    """The editor form of ``doc`` as lines, continuation lines indented for ``depth`` (the first bare)."""
    lines = dump_text(doc).split("\n")
    if depth:
        pad = " " * (depth * INDENT)
        lines[1:] = [pad + line for line in lines[1:]]
    return lines


class CanonicalLines:
    """The editor-form lines of a base document, and the bracket structure of those lines."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines

    @classmethod
    def of(cls, doc: Any) -> CanonicalLines:
        """Format ``doc`` once."""
        return cls(dump_lines(doc))

    def index(self) -> None:
        """Build the bracket index now (``derive`` would build it on first use)."""
        self._structure  # noqa: B018

    @cached_property
    def _structure(self) -> tuple[list[int], list[int]]:
        """(parent, end): each line's enclosing opener line (-1 at the root) and each opener's closing line.

        A closing line gets its opener's parent, so walking up from it leaves the closed container.
        """
        count = len(self.lines)
        parent = [-1] * count
        end = list(range(count))
        stack: list[int] = []
        for number, line in enumerate(self.lines):
            first = line.lstrip(" ")[:1]
            if stack and (first == "}" or first == "]"):
                opener = stack.pop()
                end[opener] = number
                parent[number] = parent[opener]
                continue
            parent[number] = stack[-1] if stack else -1
            if line.endswith(("{", "[")):
                stack.append(number)
        return parent, end

    def derive(self, text_lines: Sequence[str], doc: Any) -> list[str]:
        """The editor-form lines of ``doc``, which is what the user's ``text_lines`` parse to."""
        base = self.lines
        nb, nu = len(base), len(text_lines)
        limit = min(nb, nu)
        head = 0
        while head < limit and base[head] == text_lines[head]:
            head += 1
        if head == nb == nu:
            return list(base)
        tail = 0
        while tail < limit - head and base[nb - 1 - tail] == text_lines[nu - 1 - tail]:
            tail += 1
        parent, end = self._structure
        line = head - 1
        while line > 0:
            if end[line] > line and end[line] >= nb - tail:
                lines = self._replace(line, text_lines, nu - nb)
                if lines is not None:
                    return lines
            line = parent[line]
        return dump_lines(doc)

    def _replace(self, opener: int, text_lines: Sequence[str], shift: int) -> list[str] | None:
        """Reformat the container opened on ``opener`` from the user's text (None: not one value)."""
        base = self.lines
        parent, end = self._structure
        close = end[opener]
        first = base[opener]
        indent = len(first) - len(first.lstrip(" "))
        value_at = indent
        owner = parent[opener]
        if owner >= 0 and base[owner].endswith("{"):
            value_at = scanstring(first, indent + 1)[1] + 2  # after `"key": `
        middle = text_lines[opener + 1 : close + shift]
        last = base[close]
        try:
            value = json.loads("\n".join([first[value_at:], *middle, last.removesuffix(",")]))
        except (ValueError, RecursionError):
            return None
        new = dump_lines(value, indent // INDENT)
        new[0] = first[:value_at] + new[0]
        if last.endswith(","):
            new[-1] += ","
        return [*base[:opener], *new, *base[close + 1 :]]


def hide_top_level(lines: Sequence[str], keys: Sequence[str]) -> list[str] | None:
    """Editor-form lines of an object without some top-level members (one-line values only).

    Returns None when a hidden member spans several lines; the caller then formats a filtered copy.
    """
    if not keys or not lines or lines[0] != "{":
        return list(lines)
    hidden = set(keys)
    out: list[str] = []
    for line in lines:
        if line.startswith('  "') and scanstring(line, 3)[0] in hidden:
            if line.endswith(("{", "[")):
                return None
            if not line.endswith(",") and out and out[-1].endswith(","):
                out[-1] = out[-1][:-1]  # the hidden member was the last one
            continue
        out.append(line)
    return out
