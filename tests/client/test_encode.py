"""Request bodies (``explorer.client.encode``): byte for byte what ``json.dumps(ensure_ascii=False)`` gave,
whichever way they are made."""

from __future__ import annotations

import json
from typing import Any

import pytest

from explorer.client.encode import _one_list_of_plain_strings, json_bytes

KEYS = [f"{n:032x}" for n in range(0, 10**6, 997)][:1000]


@pytest.mark.parametrize("body", [
    {"retryDataKeys": KEYS},
    {"errors": ["4d163045", "aedeb694"]},
    {"retryDataKeys": ["a\"b"]},
    {"retryDataKeys": ["back\\slash"]},
    {"retryDataKeys": ["tab\there", "nl\n"]},
    {"retryDataKeys": ["\x00", "\x1f"]},
    {"retryDataKeys": ["del\x7f"]},
    {"retryDataKeys": ["ünïcode", "日本"]},
    {"retryDataKeys": ["\x1b]52;c;bad\x07"]},
    {"retryDataKeys": []},
    {"retryDataKeys": [""]},
    {"retryDataKeys": ["a", 1]},
    {"retryDataKeys": ["a", None]},
    {"retryDataKeys": ("a", "b")},
    {"key\"quoted": ["a"]},
    {"a": ["b"], "c": ["d"]},
    {"data": {"nested": ["x"]}},
    [1, 2, 3],
    "text",
    None,
    {},
])
def test_same_bytes_as_json_dumps(body: Any) -> None:
    assert json_bytes(body) == json.dumps(body, ensure_ascii=False).encode("utf-8")


def test_plain_string_lists_take_the_fast_way_and_anything_to_escape_does_not() -> None:
    assert _one_list_of_plain_strings({"retryDataKeys": KEYS}) is not None
    assert _one_list_of_plain_strings({"errors": ["4d163045"]}) is not None
    for unsafe in ("a\"b", "a\\b", "a\nb", "\x00", "ü"):
        assert _one_list_of_plain_strings({"retryDataKeys": ["ok", unsafe]}) is None
    assert _one_list_of_plain_strings({"retryDataKeys": []}) is None
