"""JSON documents as lines: paths, values and search, with no Textual in sight.

Why this exists: the JSON pane shows a document pretty-printed by `json.dumps(obj, indent=2,
ensure_ascii=False)`, one line per scalar or bracket. Users copy the value or the path under the cursor,
and the editor team maps a 422 error's field path (`pageProcessors[1]._importId`) to the line to show.
Both need a map between lines and paths. Building it costs one pass over the lines, so it is built
lazily (`JsonLineIndex`) and only for documents that really are `json.dumps(indent=2)` output.

Paths are written and read by `explorer.model.paths` (one style everywhere).
"""

from __future__ import annotations

import json
import json.decoder
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any

from explorer.model.paths import PathPart, format_path, parse_path, scanstring
from explorer.textsafe import picture

INDENT = 2
"""Indent unit of the lines this module reads: the JSON pane always dumps with `indent=2`."""


def printable(line: str) -> str:
    """``line`` with every unsafe character (``explorer.textsafe``) replaced one for one by a stand-in.

    One for one keeps columns aligned with the text, so search hits still land on the right characters.
    """
    return picture(line)


def take_lines(chunks: Iterator[str], limit: int) -> tuple[str, bool]:
    """Pull encoder chunks until `limit` lines are complete; return the text and whether it is all.

    Lets a viewer show the first screenful of a 10 MB document before encoding the rest.
    """
    parts: list[str] = []
    newlines = 0
    for chunk in chunks:
        parts.append(chunk)
        if "\n" in chunk:
            newlines += chunk.count("\n")
            if newlines >= limit:
                return "".join(parts), False
    return "".join(parts), True


class JsonLineIndex:
    """Which value each line of `json.dumps(obj, indent=2)` output holds, built on first use.

    For every line it records the line of the enclosing container (`parent`), the key or array index
    that names the value on the line (`key`), and for a line opening `{`/`[` the line closing it
    (`end`). A closing line belongs to its container (same path). If the lines do not have the shape
    `json.dumps(indent=2)` gives (e.g. hand-formatted text), `valid` is False and every query answers None.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        """Keep the lines; nothing is computed until a query (or `build()`)."""
        self._lines = lines
        self._builder: Iterator[int] | None = None
        self._built = False
        self._valid = False
        self._parent: array[int] = array("i")
        self._key: list[PathPart | None] = []
        self._end: array[int] = array("i")

    @property
    def lines(self) -> Sequence[str]:
        """The lines this index describes."""
        return self._lines

    @property
    def built(self) -> bool:
        """True once the index is complete (queries then cost no build)."""
        return self._built

    @property
    def valid(self) -> bool:
        """True if the lines are well-formed `indent=2` JSON (builds the index if needed)."""
        self.build()
        return self._valid

    def build(self) -> None:
        """Build the whole index now (one pass, ~0.7 µs a line), finishing any build in progress."""
        for _ in self.build_steps():
            pass

    def build_steps(self, batch: int = 8192) -> Iterator[int]:
        """Build the index `batch` lines at a time, yielding the lines done so far.

        A caller on the UI loop can await between steps so a 500,000-line document never blocks it.
        All callers share one builder: `build()` finishes the steps an async builder left off.
        """
        if self._builder is None and not self._built:
            self._builder = self._build(batch)
        builder = self._builder
        if builder is not None:
            yield from builder

    def _build(self, batch: int) -> Iterator[int]:
        lines = self._lines
        count = len(lines)
        # Arrays, not lists: no int object per line (−25 MB on a 535,000-line document). All three grow
        # line by line: allocating them whole first (`[None] * count`, `array("i", range(count))`) took
        # 15-70 ms in one go on the UI loop for 700,000 lines (issue 10).
        parent = array("i")
        keys: list[PathPart | None] = []
        end = array("i")
        shared: dict[str, str] = {}  # one string per distinct key: "_id" 18,000 times costs once
        # stack entries: [opener line, is_object, next array index]
        stack: list[list[Any]] = []
        valid = True
        try:
            for number, line in enumerate(lines):
                if not number % batch and number:
                    yield number
                end.append(number)
                if stack:
                    depth = len(stack) * INDENT
                    char = line[depth - INDENT : depth - INDENT + 1]
                    if char == "}" or char == "]":
                        opener = stack.pop()
                        end[opener[0]] = number
                        parent.append(opener[0])
                        keys.append(None)
                        continue
                    top = stack[-1]
                    parent.append(top[0])
                    if top[1]:
                        if line[depth : depth + 1] != '"':
                            raise ValueError(number)
                        key = scanstring(line, depth + 1)[0]
                        keys.append(shared.setdefault(key, key))
                    else:
                        keys.append(top[2])
                        top[2] += 1
                elif number:
                    raise ValueError(number)  # a second top-level value
                else:
                    parent.append(-1)
                    keys.append(None)
                # json.dumps(indent=2) ends a line with "{" or "[" only when it opens a non-empty
                # container: strings end with a quote, empty containers with "}" or "]".
                last = line[-1:]
                if last == "{" or last == "[":
                    stack.append([number, last == "{", 0])
            if stack:
                valid = False
        except (ValueError, IndexError):
            valid = False
        self._parent, self._key, self._end = parent, keys, end
        self._valid = valid and count > 0
        self._built = True
        self._builder = None

    def path_parts(self, line: int) -> tuple[PathPart, ...] | None:
        """The path of the value on `line` as parts (closing lines give their container's path)."""
        if not self.valid or not 0 <= line < len(self._lines):
            return None
        parent, keys = self._parent, self._key
        if keys[line] is None and parent[line] >= 0 and self._end[parent[line]] == line:
            line = parent[line]  # a closing bracket: the container's path
        parts: list[PathPart] = []
        while parent[line] >= 0:
            key = keys[line]
            assert key is not None
            parts.append(key)
            line = parent[line]
        parts.reverse()
        return tuple(parts)

    def path(self, line: int) -> str | None:
        """The path of the value on `line` in the documented style, or None."""
        parts = self.path_parts(line)
        return None if parts is None else format_path(parts)

    def value_span(self, line: int) -> tuple[int, int] | None:
        """First and last line of the value on `line` (a closing line gives its container's span)."""
        if not self.valid or not 0 <= line < len(self._lines):
            return None
        start = line
        owner = self._parent[line]
        if self._key[line] is None and owner >= 0 and self._end[owner] == line:
            start = owner
        return start, self._end[start]

    def line_for(self, parts: Sequence[PathPart]) -> int | None:
        """The line where the value at `parts` starts, or None if the document has no such value."""
        if not self.valid:
            return None
        line = 0
        end, keys = self._end, self._key
        for part in parts:
            if end[line] == line:
                return None  # a scalar or an empty container has no children
            is_object = self._lines[line].endswith("{")
            wanted: PathPart | None = part
            if is_object and isinstance(part, int):
                wanted = str(part)
            elif not is_object and isinstance(part, str):
                wanted = int(part) if part.isdigit() else None
            if wanted is None:
                return None
            child = line + 1
            stop = end[line]
            while child < stop and keys[child] != wanted:
                child = end[child] + 1
            if child >= stop:
                return None
            line = child
        return line

    def value_text(self, line: int) -> str | None:
        """The JSON text of the value on `line`, dedented, without its key and trailing comma.

        A string scalar is returned decoded (`abc`, not `"abc"`), like `jq -r`, because that is what a
        user pastes elsewhere; numbers, booleans, null and containers are returned as JSON text.
        """
        span = self.value_span(line)
        if span is None:
            return None
        start, stop = span
        lines = self._lines
        first = lines[start]
        depth = len(first) - len(first.lstrip(" "))
        head = first[depth:]
        owner = self._parent[start]
        if owner >= 0 and lines[owner].endswith("{"):
            head = head[scanstring(head, 1)[1] + 2 :]  # drop `"key": `
        if start == stop:
            head = head.removesuffix(",")
            if head.startswith('"'):
                decoded: str = json.loads(head)
                return decoded
            return head
        body = [item[depth:] for item in lines[start + 1 : stop]]
        tail = lines[stop][depth:].removesuffix(",")
        return "\n".join([head, *body, tail])


def _as_index(lines_or_index: Sequence[str] | JsonLineIndex) -> JsonLineIndex:
    """Accept lines or an index, so one-off callers need not build the index themselves."""
    if isinstance(lines_or_index, JsonLineIndex):
        return lines_or_index
    return JsonLineIndex(lines_or_index)


def line_for_path(
    lines_or_index: Sequence[str] | JsonLineIndex, path: str | Sequence[PathPart]
) -> int | None:
    """The line where the value at `path` starts (e.g. a 422 field path), or None if absent/malformed."""
    if isinstance(path, str):
        try:
            parts: Sequence[PathPart] = parse_path(path)
        except ValueError:
            return None
    else:
        parts = path
    return _as_index(lines_or_index).line_for(parts)


def iter_line_matches(
    lines: Sequence[str], term: str, window: int = 131_072
) -> Iterator[list[tuple[int, int]]]:
    """(line, column) of the case-insensitive occurrences of `term`, one list per `window` characters of
    whole lines (at least one line).

    Lets the UI loop search a 10 MB document a few milliseconds at a time, from its lines: the document's
    text is never needed whole (joining 17 M characters held the loop 40-95 ms, issue 10). Matches do not
    overlap (like `re.finditer`) and never span lines: a term holding a newline matches nothing (the pane
    highlights within a line; its search box is one line).
    """
    if not term or "\n" in term:
        return
    search = re.compile(re.escape(term), re.IGNORECASE).finditer
    count, first = len(lines), 0
    while first < count:
        stop, size = first, 0
        while stop < count and size < window:
            size += len(lines[stop]) + 1
            stop += 1
        chunk = "\n".join(lines[first:stop])
        found: list[tuple[int, int]] = []
        line, start = first, 0  # the line at offset `start` of the chunk
        for match in search(chunk):
            offset = match.start()
            newlines = chunk.count("\n", start, offset)
            if newlines:
                line += newlines
                start = chunk.rfind("\n", start, offset) + 1
            found.append((line, offset - start))
        yield found
        first = stop


class SearchHits:
    """The matches of one search as (line, column), and which one is current.

    Kept in two arrays, not a list of tuples: a search for "e" in 10 MB stops at a million hits (8 MB here,
    ~100 MB as tuples).
    """

    def __init__(self, term: str) -> None:
        """No hits yet; `add` them in document order."""
        self.term = term
        self.lines = array("i")
        self.columns = array("i")
        self.current = -1
        """Index of the current hit, -1 before the first `select`."""

    def __len__(self) -> int:
        """Number of hits."""
        return len(self.lines)

    def add(self, found: Sequence[tuple[int, int]], limit: int = 1_000_000) -> bool:
        """Append hits (after those already held), keeping at most `limit`; False once the limit is hit."""
        room = limit - len(self.lines)
        for line, column in found[: max(0, room)]:
            self.lines.append(line)
            self.columns.append(column)
        return len(found) < room

    def select_from(self, line: int) -> tuple[int, int]:
        """Make the first hit at or after the start of `line` current (else the first one); needs a hit."""
        first = bisect_left(self.lines, line)
        return self.select(first if first < len(self.lines) else 0)

    def select(self, number: int) -> tuple[int, int]:
        """Make hit `number` (modulo the count, so n/N wrap) current; return its (line, column)."""
        self.current = number % len(self.lines)
        return self.lines[self.current], self.columns[self.current]


def find_matches(lines: Sequence[str], term: str, limit: int = 1_000_000) -> SearchHits:
    """Every match of `term` in `lines` (at most `limit`), at once: for small documents."""
    hits = SearchHits(term)
    for found in iter_line_matches(lines, term):
        if not hits.add(found, limit):
            break
    return hits
