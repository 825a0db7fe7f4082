"""Tests for explorer.services.json_lines: paths ⇄ lines of json.dumps(indent=2) output, values, search.

The editor maps 422 field paths such as `pageProcessors[1]._importId` to lines with these functions,
so every line of a tricky document must round-trip: line → path → the same line.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest

from explorer.model.paths import PathPart, format_path, parse_path
from explorer.services.json_lines import (
    JsonLineIndex,
    SearchHits,
    find_matches,
    iter_line_matches,
    line_for_path,
    printable,
    take_lines,
)

TRICKY: dict[str, Any] = {
    "plain": 1,
    "a.b": {"c[0]": "dots and brackets"},
    'say "hi"': ["quote", {"back\\slash": None}],
    "ключ": {"ünïcødé": True, "日本": [1, 2]},
    "": "empty key",
    "0": "numeric key",
    "$ref": "dollar",
    "with space": {},
    "empty_list": [],
    "matrix": [[1, [2, 3]], [], [[]], [{}]],
    "nested": {"deeper": {"deepest": [{"x": [False, 2.5, "s"]}]}},
    "control": "\x1b]52;c;QUJD\x07 and \u2028 and \x85",
    "pageProcessors": [{"type": "export"}, {"type": "import", "_importId": "imp-1"}],
}


def dump(obj: Any) -> list[str]:
    """Lines exactly as the JSON pane shows them."""
    return json.dumps(obj, indent=2, ensure_ascii=False).split("\n")


def resolve(obj: Any, parts: tuple[PathPart, ...]) -> Any:
    """Follow `parts` into `obj` (the reference the index is checked against)."""
    for part in parts:
        obj = obj[part]
    return obj


# -- path syntax -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ((), ""),
        (("pageProcessors", 1, "_importId"), "pageProcessors[1]._importId"),
        ((0, 2), "[0][2]"),
        (("a.b", "c"), '["a.b"].c'),
        (("x", 'say "hi"'), 'x["say \\"hi\\""]'),
        (("ключ",), '["ключ"]'),
        (("",), '[""]'),
        (("0",), '["0"]'),
        (("$ref", "_id"), "$ref._id"),
        (("$", "a"), '["$"].a'),
        (("with space", 3), '["with space"][3]'),
        (("back\\slash",), '["back\\\\slash"]'),
    ],
)
def test_format_and_parse_round_trip(parts: tuple[PathPart, ...], text: str) -> None:
    assert format_path(parts) == text
    assert tuple(parse_path(text)) == parts


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("$.a.b[2]", ["a", "b", 2]),
        ("$", []),
        (".a", ["a"]),
        ("a['x y']", ["a", "x y"]),
        ("a['it\\'s']", ["a", "it's"]),
        ('a[ "k" ]', ["a", "k"]),
        ("a[ 3 ]", ["a", 3]),
        ("a.ключ.b", ["a", "ключ", "b"]),
        ("a.with space", ["a", "with space"]),
        ("  pageProcessors[1]._importId  ", ["pageProcessors", 1, "_importId"]),
    ],
)
def test_parse_path_is_lenient(text: str, parts: list[PathPart]) -> None:
    assert parse_path(text) == parts


@pytest.mark.parametrize("text", ["a[", "a[x]", "a..b", "[1", "a]", 'a["unterminated]', "a[1]b", "a[1]]"])
def test_parse_path_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="path"):
        parse_path(text)


# -- index -------------------------------------------------------------------------------------------


def test_every_value_line_round_trips_and_points_at_the_right_value() -> None:
    lines = dump(TRICKY)
    index = JsonLineIndex(lines)
    assert index.valid
    checked = 0
    for number, line in enumerate(lines):
        parts = index.path_parts(number)
        assert parts is not None
        if line.strip() in ("}", "},", "]", "],") and number:
            continue  # closing lines answer their container's path; checked below
        assert index.line_for(parts) == number, (number, line, parts)
        assert line_for_path(index, format_path(parts)) == number
        value = resolve(TRICKY, parts)
        text = index.value_text(number)
        if isinstance(value, str):
            assert text == value  # strings come back decoded
        else:
            assert text is not None
            assert json.loads(text) == value
            assert text == json.dumps(value, indent=2, ensure_ascii=False)
        checked += 1
    assert checked > 40


def test_closing_lines_belong_to_their_container() -> None:
    lines = dump({"a": {"b": [1, 2]}})
    # {  "a": {  "b": [  1,  2  ]  }  }
    assert [JsonLineIndex(lines).path(n) for n in range(len(lines))] == [
        "",
        "a",
        "a.b",
        "a.b[0]",
        "a.b[1]",
        "a.b",
        "a",
        "",
    ]
    index = JsonLineIndex(lines)
    assert index.value_span(5) == (2, 5)
    assert index.value_text(5) == "[\n  1,\n  2\n]"


def test_arrays_of_arrays_and_empty_containers() -> None:
    doc = {"m": [[1, [2, 3]], [], [[]], [{}]], "o": {}, "l": []}
    lines = dump(doc)
    assert line_for_path(lines, "m[0][1][1]") is not None
    assert lines[line_for_path(lines, "m[0][1][1]") or 0].strip() == "3"
    for path, shown in [
        ("m[1]", "[],"),
        ("m[2][0]", "[]"),
        ("m[3][0]", "{}"),
        ("o", '"o": {},'),
        ("l", '"l": []'),
    ]:
        line = line_for_path(lines, path)
        assert line is not None, path
        assert lines[line].strip() == shown
        assert JsonLineIndex(lines).path(line) == path
    index = JsonLineIndex(lines)
    assert index.value_text(line_for_path(index, "o") or 0) == "{}"
    assert line_for_path(lines, "o.missing") is None
    assert line_for_path(lines, "m[1][0]") is None  # an empty array has no items
    assert line_for_path(lines, "m[9]") is None


def test_lenient_lookup_of_indexes_and_numeric_keys() -> None:
    lines = dump({"pageProcessors": [{"_importId": "a"}, {"_importId": "b"}], "0": "zero"})
    by_brackets = line_for_path(lines, "pageProcessors[1]._importId")
    assert by_brackets is not None
    assert '"b"' in lines[by_brackets]
    assert line_for_path(lines, "pageProcessors.1._importId") == by_brackets
    assert line_for_path(lines, "$.pageProcessors[1]._importId") == by_brackets
    assert line_for_path(lines, ("pageProcessors", 1, "_importId")) == by_brackets
    zero = line_for_path(lines, "[0]")
    assert zero is not None
    assert lines[zero].strip() == '"0": "zero"'
    assert line_for_path(lines, "pageProcessors[x") is None  # malformed: None, not an exception


@pytest.mark.parametrize("root", ["text", 42, None, True, {}, []])
def test_scalar_and_empty_roots(root: Any) -> None:
    lines = dump(root)
    index = JsonLineIndex(lines)
    assert index.valid
    assert index.path(0) == ""
    assert line_for_path(index, "") == 0
    assert line_for_path(index, "a") is None
    expected = root if isinstance(root, str) else json.dumps(root)
    assert index.value_text(0) == expected


@pytest.mark.parametrize(
    "lines",
    [
        ["not json", "at all"],
        ["{", '"a": 1', "}"],  # wrong indent
        ["{", '  "a": {'],  # unterminated
        ["1", "2"],  # two top-level values
        [],
    ],
)
def test_lines_that_are_not_indent2_json_have_no_paths(lines: list[str]) -> None:
    index = JsonLineIndex(lines)
    assert not index.valid
    assert index.path(0) is None
    assert index.value_text(0) is None
    assert line_for_path(index, "a") is None


def test_out_of_range_lines() -> None:
    index = JsonLineIndex(dump({"a": 1}))
    assert index.path(-1) is None
    assert index.path(3) is None
    assert index.value_span(99) is None


def test_incremental_build_matches_one_shot_and_can_be_finished_by_build() -> None:
    rnd = random.Random(0)
    doc = {"items": [{"id": i, "tags": [rnd.randint(0, 9) for _ in range(3)]} for i in range(500)]}
    lines = dump(doc)
    stepped = JsonLineIndex(lines)
    steps = stepped.build_steps(batch=100)
    done = [next(steps), next(steps)]
    assert done == [100, 200]
    assert not stepped.built
    stepped.build()  # finishes the same builder
    assert stepped.built
    assert list(steps) == []  # the suspended builder has nothing left to do
    one_shot = JsonLineIndex(lines)
    assert [stepped.path(n) for n in range(len(lines))] == [one_shot.path(n) for n in range(len(lines))]
    assert lines[-4].strip() == "]"
    assert stepped.path(len(lines) - 4) == "items[499].tags"


# -- search ------------------------------------------------------------------------------------------


def positions(hits: SearchHits) -> list[tuple[int, int]]:
    return list(zip(hits.lines, hits.columns, strict=True))


def test_find_matches_is_case_insensitive_non_overlapping_and_by_line_and_column() -> None:
    lines = ["Import IMPORT import", "imPort aaaa"]
    assert positions(find_matches(lines, "import")) == [(0, 0), (0, 7), (0, 14), (1, 0)]
    assert positions(find_matches(lines, "aa")) == [(1, 7), (1, 9)]
    assert len(find_matches(lines, "")) == 0
    assert len(find_matches(lines, "zzz")) == 0
    assert positions(find_matches(lines, "import", limit=2)) == [(0, 0), (0, 7)]
    assert positions(find_matches(["ÄÖ äö"], "äö")) == [(0, 0), (0, 3)]
    assert positions(find_matches(["a.b a+b"], ".")) == [(0, 1)]  # the term is literal, not a regex
    assert len(find_matches(["ab", "ab"], "b\na")) == 0  # a match never spans lines


def test_windows_find_the_same_matches_as_one_pass_over_the_text() -> None:
    rnd = random.Random(0)
    lines = ["".join(rnd.choice("abA") for _ in range(rnd.randint(0, 12))) for _ in range(500)]
    for term in ("a", "ab", "aba", "bb"):
        batches = list(iter_line_matches(lines, term, window=7))
        assert len(batches) > 50
        windowed = [hit for batch in batches for hit in batch]
        expected = [(number, match.start()) for number, line in enumerate(lines)
                    for match in re.finditer(re.escape(term), line, re.IGNORECASE)]
        assert windowed == expected, term
        assert positions(find_matches(lines, term)) == expected


def test_search_hits_walk_forward_backward_and_wrap_with_line_and_column() -> None:
    lines = ["{", '  "a": "Xx",', '  "b": "yx"', "}"]
    hits = find_matches(lines, "x")
    assert len(hits) == 3 and hits.term == "x"
    expected = [(1, 8), (1, 9), (2, 9)]
    assert hits.select_from(2) == expected[2]  # first hit at or after line 2
    assert hits.current == 2
    assert hits.select(hits.current + 1) == expected[0]  # wraps forward
    assert hits.select(hits.current + 1) == expected[1]
    assert hits.select(hits.current - 2) == expected[2]  # wraps backward
    assert hits.select_from(3) == expected[0]  # nothing after the cursor: the first hit
    assert [hits.select(n) for n in range(3)] == expected


def test_search_hits_stop_at_the_limit() -> None:
    hits = SearchHits("a")
    assert hits.add([(0, 0), (0, 1)], limit=3)
    assert not hits.add([(1, 0), (1, 1)], limit=3)
    assert positions(hits) == [(0, 0), (0, 1), (1, 0)]
    assert not hits.add([(2, 0)], limit=3)
    assert len(hits) == 3


# -- display helpers ---------------------------------------------------------------------------------


def test_printable_replaces_terminal_controls_one_for_one() -> None:
    raw = "a\x1b[31mb\x07c\x9bd\x7fe\tf\u2028g\u202eh\ufeffi\x85j"
    shown = printable(raw)
    assert len(shown) == len(raw)  # columns stay aligned with the text
    assert shown == "a\u241b[31mb\u2407c\ufffdd\u2421e f\ufffdg\ufffdh\ufffdi\ufffdj"
    assert all(ch.isprintable() for ch in shown)
    plain = 'ok "[bold]x[/]" ünïcødé 日本'
    assert printable(plain) is plain


def test_take_lines_stops_after_enough_lines() -> None:
    chunks = iter(json.JSONEncoder(indent=2).iterencode({"k": list(range(100))}))
    head, complete = take_lines(chunks, 10)
    assert not complete
    assert head.count("\n") >= 10
    rest = "".join(chunks)
    assert head + rest == json.dumps({"k": list(range(100))}, indent=2)
    small, done = take_lines(iter(json.JSONEncoder(indent=2).iterencode([1])), 10)
    assert done and small == "[\n  1\n]"
