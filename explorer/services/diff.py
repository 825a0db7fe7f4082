"""What an edit changes: the editor's text form of a document, a fast unified diff, and key-path changes.

Why its own module: the TUI's diff/confirm screen, the stale-write report and ``iox put`` must all show the
same diff of the same text, and that text must be exactly what the JSON pane and the 422 line mapper read
(``json.dumps(indent=2, ensure_ascii=False)``). Server-owned fields (``_id``, ``createdAt``,
``lastModified``, ``lastModifiedBy``) are left out of what is *shown*, never out of what is sent.

The unified diff trims the common head and tail before handing the middle to :mod:`difflib`, so a one-line
change in a 2 MB document costs one linear pass instead of a quadratic match over 80,000 lines.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.model.documents import SERVER_OWNED
from explorer.model.paths import PathPart, path_label
from explorer.services.canonical import dump_lines, dump_text, hide_top_level

CONTEXT_LINES = 3
"""Unchanged lines shown around each change, as ``diff -u`` does."""

Opcode = tuple[str, int, int, int, int]


class _Missing:
    """Marks a key absent on one side of a comparison (distinct from JSON ``null``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The value of a key that is not there."""


def format_document(doc: Any) -> str:
    """The editor's text of a document: what the JSON pane shows and the 422 line mapper reads."""
    return dump_text(doc)


def without_server_owned(doc: Any, server_owned: Sequence[str] = SERVER_OWNED) -> Any:
    """A shallow copy of an object document without its server-owned top-level fields (for display only)."""
    if not isinstance(doc, Mapping):
        return doc
    return {key: value for key, value in doc.items() if key not in server_owned}


# --- unified diff ---------------------------------------------------------------------------------------


def _trimmed_opcodes(before: Sequence[str], after: Sequence[str]) -> list[Opcode]:
    """difflib opcodes for both whole sequences, computed only between their common head and tail."""
    limit = min(len(before), len(after))
    head = 0
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    middle_before = before[head : len(before) - tail]
    middle_after = after[head : len(after) - tail]
    codes: list[Opcode] = []
    if head:
        codes.append(("equal", 0, head, 0, head))
    if middle_before or middle_after:
        matcher = difflib.SequenceMatcher(None, middle_before, middle_after, autojunk=False)
        if len(middle_before) * len(middle_after) > 4_000_000:
            # A huge rewritten middle (reformatted document): one replace block beats a slow exact match.
            inner: list[Opcode] = [("replace", 0, len(middle_before), 0, len(middle_after))]
        else:
            inner = list(matcher.get_opcodes())
        for tag, i1, i2, j1, j2 in inner:
            codes.append((tag, i1 + head, i2 + head, j1 + head, j2 + head))
    if tail:
        codes.append(("equal", len(before) - tail, len(before), len(after) - tail, len(after)))
    return codes


def _grouped(codes: list[Opcode], context: int) -> Iterator[list[Opcode]]:
    """Opcodes cut into hunks with ``context`` equal lines around changes (difflib's grouping, reused)."""
    if not codes:
        return
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    span = context + context
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > span:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1
    if length == 1:
        return str(first)
    if not length:
        first -= 1
    return f"{first},{length}"


def unified_lines(
    before: Sequence[str],
    after: Sequence[str],
    *,
    from_name: str = "server",
    to_name: str = "edited",
    context: int = CONTEXT_LINES,
) -> list[str]:
    """``diff -u`` of two lists of lines (no trailing newlines); empty when they are equal."""
    out: list[str] = []
    for group in _grouped(_trimmed_opcodes(before, after), context):
        if not out:
            out += [f"--- {from_name}", f"+++ {to_name}"]
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in before[i1:i2]]
                continue
            if tag in ("replace", "delete"):
                out += ["-" + line for line in before[i1:i2]]
            if tag in ("replace", "insert"):
                out += ["+" + line for line in after[j1:j2]]
    return out


def shown_lines(lines: Sequence[str], doc: Any, server_owned: Sequence[str] = SERVER_OWNED) -> list[str]:
    """Editor-form ``lines`` of ``doc`` as the diff shows them: server-owned top-level fields left out."""
    hidden = hide_top_level(lines, server_owned)
    return hidden if hidden is not None else dump_lines(without_server_owned(doc, server_owned))


def document_diff(
    before: Any,
    after: Any,
    *,
    server_owned: Sequence[str] = SERVER_OWNED,
    from_name: str = "server",
    to_name: str = "edited",
) -> list[str]:
    """The unified diff of two documents in editor form, server-owned fields left out (formats both)."""
    return unified_lines(
        shown_lines(dump_lines(before), before, server_owned),
        shown_lines(dump_lines(after), after, server_owned),
        from_name=from_name,
        to_name=to_name,
    )


def diff_stats(lines: Sequence[str]) -> tuple[int, int]:
    """Lines added and removed in a unified diff (headers not counted)."""
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++ "))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("--- "))
    return added, removed


# --- key-path changes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two documents at a key path: ``added``, ``removed`` or ``changed``.

    Arrays of equal length are compared item by item; arrays whose length changed are one ``changed``
    entry (with ``before``/``after`` the whole arrays), since index paths mean nothing after a shift.
    """

    path: tuple[PathPart, ...]
    kind: str
    before: Any = MISSING
    after: Any = MISSING

    @property
    def label(self) -> str:
        """The path as users read it (``(document)`` for the root)."""
        return path_label(self.path)

    def describe(self, limit: int = 60) -> str:
        """One line: ``path: old → new`` with long values shortened."""
        if self.kind == "added":
            return f"{self.label}: added {short_json(self.after, limit)}"
        if self.kind == "removed":
            return f"{self.label}: removed (was {short_json(self.before, limit)})"
        if isinstance(self.before, list) and isinstance(self.after, list):
            return f"{self.label}: {len(self.before)} → {len(self.after)} items"
        return f"{self.label}: {short_json(self.before, limit)} → {short_json(self.after, limit)}"


def short_json(value: Any, limit: int = 60) -> str:
    """A JSON value on one line, cut to ``limit`` characters (for lists of changes and conflicts)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(
    before: Any, after: Any, *, ignore_top: Sequence[str] = (), path: tuple[PathPart, ...] = ()
) -> list[Change]:
    """Every key-path difference from ``before`` to ``after`` (top-level ``ignore_top`` keys skipped)."""
    if before == after:
        return []
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        found: list[Change] = []
        for key in dict.fromkeys([*before, *after]):
            if not path and key in ignore_top:
                continue
            old, new = before.get(key, MISSING), after.get(key, MISSING)
            if old is MISSING:
                found.append(Change((*path, key), "added", after=new))
            elif new is MISSING:
                found.append(Change((*path, key), "removed", before=old))
            else:
                found += changes(old, new, path=(*path, key))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            found += changes(old, new, path=(*path, index))
        return found
    return [Change(path, "changed", before, after)]
