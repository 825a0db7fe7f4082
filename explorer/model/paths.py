"""How a JSON path is written and read: the one style every screen, message and command uses.

Why one module: the JSON pane's "copy path", the editor's jump to a 422's field, the diff before a PUT, the
merge's conflicts and the masked-secret warnings all name places in a document; written two ways, a path
copied from one could not be pasted into another.

Path style (what `format_path` writes and `parse_path` reads):
- the root is the empty string `""`;
- object keys that are ASCII identifiers (`[A-Za-z_$][A-Za-z0-9_$]*`) use dots: `a.b`, `pageProcessors`;
- any other key uses brackets with a JSON string: `["a.b"]`, `["say \\"hi\\""]`, `["ключ"]`;
- array items use brackets: `[1]`; so `pageProcessors[1]._importId`, `[0][2]`, `a["x y"][3].z`.
`parse_path` is lenient for input from servers and people: a leading `$` or `.` is ignored, bracket keys
may use single quotes, and a dotted name may hold any character but `.` and `[` (`a.ключ`).
`json_lines.line_for_path` also accepts `a.0` for an array item and `[0]` for an object key `"0"`.
The empty path is the document itself; `path_label` names it `(document)` where a sentence needs a word.
"""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable, Sequence

# The C string scanner of the json module: decodes one JSON string starting after its opening quote.
scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

PathPart = str | int
"""One step of a path: an object key (str) or an array index (int)."""

ROOT_LABEL = "(document)"
"""How a sentence names the empty path (the whole document)."""

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_DOTTED_NAME = re.compile(r"[^.\[\]]+")
_INDEX = re.compile(r"\[\s*(\d+)\s*\]")


def format_path(parts: Sequence[PathPart]) -> str:
    """Write path parts in the documented style (`pageProcessors[1]._importId`, root `""`)."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.match(part) and (out or part != "$"):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out)


def path_label(parts: Sequence[PathPart]) -> str:
    """The path for a sentence: `format_path`, or `(document)` for the root."""
    return format_path(parts) or ROOT_LABEL


def parse_path(path: str) -> list[PathPart]:
    """Read a path written in the documented style (leniently); raise ValueError if it is malformed."""
    parts: list[PathPart] = []
    text = path.strip()
    pos = 0
    if text.startswith("$") and text[1:2] in ("", ".", "["):
        pos = 1  # the root marker of `$.a.b`; a key such as `$ref` stays a key
    end = len(text)
    while pos < end:
        char = text[pos]
        if char == ".":
            pos += 1
            match = _DOTTED_NAME.match(text, pos)
            if match is None:
                raise ValueError(f"path {path!r}: expected a name at column {pos}")
            parts.append(match.group())
            pos = match.end()
        elif char == "[":
            index = _INDEX.match(text, pos)
            if index is not None:
                parts.append(int(index.group(1)))
                pos = index.end()
                continue
            key, pos = _read_bracket_key(path, text, pos + 1)
            parts.append(key)
        else:
            match = _DOTTED_NAME.match(text, pos)
            if match is None or parts:
                raise ValueError(f"path {path!r}: unexpected {char!r} at column {pos}")
            parts.append(match.group())
            pos = match.end()
    return parts


def _read_bracket_key(path: str, text: str, pos: int) -> tuple[str, int]:
    """Read `"key"]` or `'key']` starting at `pos`; return the key and the position after `]`."""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text) or text[pos] not in "\"'":
        raise ValueError(f"path {path!r}: expected an index or a quoted key at column {pos}")
    quote = text[pos]
    try:
        if quote == '"':
            key, pos = scanstring(text, pos + 1)
        else:
            # Single quotes: turn the body into a JSON string so escapes mean the same thing.
            close = pos + 1
            while close < len(text) and text[close] != "'":
                close += 2 if text[close] == "\\" else 1
            body = text[pos + 1 : close].replace("\\'", "'").replace('"', '\\"')
            key = json.loads(f'"{body}"')
            pos = close + 1
    except (ValueError, json.JSONDecodeError) as error:
        raise ValueError(f"path {path!r}: bad quoted key ({error})") from None
    while pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text) or text[pos] != "]":
        raise ValueError(f"path {path!r}: expected ']' at column {pos}")
    return key, pos + 1
