"""Where a position in JSON *text* is in the document: the key under the cursor, the line of a path.

Why not :class:`~explorer.services.json_lines.JsonLineIndex`: that index reads only the pane's own
``indent=2`` form, while the editor holds whatever the user typed — hand-formatted, and often half-typed
and invalid. These scanners read tokens (strings and brackets) with one regular expression, so they stay
fast (a 64 KB document in a few milliseconds) and tolerate broken text: the answer is the best guess from
the text before the cursor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from explorer.model.paths import PathPart

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[{}\[\],:\n]|[-0-9tfn][\w.+-]*')


@dataclass(frozen=True)
class KeyAt:
    """A key (or array item) and where its value starts: 0-based line and column."""

    parts: tuple[PathPart, ...]
    line: int
    column: int


def _unquote(token: str) -> str:
    import json

    body = token if token.endswith('"') and len(token) > 1 else token + '"'
    try:
        value = json.loads(body)
    except ValueError:
        return token.strip('"')
    return value if isinstance(value, str) else token.strip('"')


def iter_keys(text: str, end: int | None = None) -> Iterator[KeyAt]:
    """Every object key and array item in ``text`` (up to offset ``end``), in order, with its path."""
    # The stack holds, per open container, the path prefix and either the pending key (objects) or the
    # next index (arrays).
    stack: list[list[PathPart | None]] = []  # [container kind, pending key or next index]
    prefix: list[PathPart] = []
    line = 0
    line_start = 0
    last_string: tuple[str, int, int] | None = None
    expect_item = False
    limit = len(text) if end is None else min(end, len(text))
    for match in _TOKEN.finditer(text, 0, limit):
        token = match.group()
        start = match.start()
        if token == "\n":
            line += 1
            line_start = match.end()
            continue
        if expect_item and stack and stack[-1][0] == "array" and token not in ("]", ","):
            index = stack[-1][1]
            assert isinstance(index, int)
            yield KeyAt((*prefix[1:], index), line, start - line_start)
            expect_item = False
        if token[0] == '"':
            last_string = (token, line, start - line_start)
        elif token == ":":
            if last_string is not None and stack and stack[-1][0] == "object":
                key = _unquote(last_string[0])
                stack[-1][1] = key
                yield KeyAt((*prefix[1:], key), last_string[1], last_string[2])
            last_string = None
        elif token in "{[":
            # The root's slot is a placeholder: paths are read from prefix[1:].
            owner = stack[-1][1] if stack else None
            prefix.append(owner if owner is not None else "")
            stack.append(["object" if token == "{" else "array", None if token == "{" else 0])
            expect_item = token == "["
            last_string = None
        elif token in "}]":
            if stack:
                stack.pop()
                prefix.pop()
            last_string = None
        elif token == ",":
            if stack and stack[-1][0] == "array":
                index = stack[-1][1]
                stack[-1][1] = (index if isinstance(index, int) else 0) + 1
                expect_item = True
            elif stack:
                stack[-1][1] = None
            last_string = None
    del prefix


def path_at(text: str, line: int, column: int) -> tuple[PathPart, ...] | None:
    """The path of the key on the cursor's line (the last one starting at or before the cursor, else the first
    on the line); on a line with no key, the last key above it. None: at the top."""
    found = key_at(text, line, column)
    return found.parts if found is not None else None


def key_at(text: str, line: int, column: int) -> KeyAt | None:
    """The key (or array item) :func:`path_at` names, with where it starts."""
    lines_before = text.split("\n", line + 1)
    line_start = sum(len(chunk) + 1 for chunk in lines_before[:line])
    line_end = line_start + (len(lines_before[line]) if line < len(lines_before) else 0)
    best: KeyAt | None = None
    fallback: KeyAt | None = None
    for key in iter_keys(text, line_end):
        if key.line < line:
            fallback = key
            continue
        if key.line == line and (best is None or key.column <= column):
            best = key
    return best if best is not None else fallback


def line_of(text: str, parts: tuple[PathPart, ...]) -> int | None:
    """The 0-based line where the value at ``parts`` (or its nearest named parent) starts."""
    return lines_of(text, [tuple(parts)])[tuple(parts)]


def lines_of(text: str, paths: Iterable[tuple[PathPart, ...]]) -> dict[tuple[PathPart, ...], int | None]:
    """:func:`line_of` for many paths in one pass over the text (hundreds of problems in a 2 MB file)."""
    wanted = set(paths)
    prefixes = {path[:length] for path in wanted for length in range(len(path) + 1)}
    first_line: dict[tuple[PathPart, ...], int] = {(): 0}
    for key in iter_keys(text):
        if key.parts in prefixes and key.parts not in first_line:
            first_line[key.parts] = key.line
    found: dict[tuple[PathPart, ...], int | None] = {}
    for path in wanted:
        found[path] = next((first_line[path[:length]] for length in range(len(path), -1, -1)
                            if path[:length] in first_line), None)
    return found


_KEY_AND_COLON = re.compile(r'"(?:[^"\\]|\\.)*"\s*:\s*')
_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null')


def value_span(line_text: str, key: KeyAt) -> tuple[int, int] | None:
    """Columns ``[start, end)`` of the scalar value of ``key`` on its line (``start == end``: no value yet, an
    insertion point); None when the value is an object or array, or the line is not the key's."""
    position = key.column
    if isinstance(key.parts[-1], str) if key.parts else False:
        match = _KEY_AND_COLON.match(line_text, position)
        if match is None:
            return None
        position = match.end()
    if line_text[position:position + 1] in ("{", "["):
        return None
    scalar = _SCALAR.match(line_text, position)
    return position, scalar.end() if scalar else position
