"""The JSON pane's width measure: cheap (C speed on every line that cannot be wide) and never too narrow.

Why: `measure_width` sets how far the pane scrolls sideways. Measuring every non-ASCII line with rich's
`cell_len` (Python, a character at a time) cost 0.4-0.8 s on the UI loop for a 10 MB document (issue 10),
so only lines that may hold a double-width character are measured that way; the rest count `len`.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from explorer.services.json_lines import printable
from explorer.tui.widgets import json_body
from explorer.tui.widgets.json_body import measure_width, wide_pattern


def test_every_character_the_pattern_lets_through_takes_at_most_one_cell() -> None:
    pattern = wide_pattern()
    assert all(pattern.match(chr(code)) for code in (0x10000, 0x1F600, 0x10FFFF, 0x200D, 0xFE0F))
    for code in range(0x10000):
        char = chr(code)
        if pattern.match(char) is None:
            shown = printable(char)
            assert len(shown) == 1 and cell_len(shown) <= 1, hex(code)


LINES = [
    '  "ascii": "plain",',
    '  "name": "naïve “quotes” – é",',
    '  "cjk": "日本語のテキスト",',
    '  "emoji": "ok 👍🏽 ❤️ 👨‍👩‍👧",',
    "plain \x1b[31m text with \x85 controls\u202e",
    '  "hangul": "한국어"',
]


def test_the_width_is_the_widest_line_in_cells() -> None:
    for line in LINES:
        assert measure_width([line]) == cell_len(printable(line)), line
    assert measure_width(LINES) == max(cell_len(printable(line)) for line in LINES)
    assert measure_width([]) == 0


def test_lines_that_cannot_be_wide_are_measured_at_c_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[str] = []

    def spy(text: str) -> int:
        measured.append(text)
        return cell_len(text)

    monkeypatch.setattr(json_body, "cell_len", spy)
    lines = ['  "name": "naïve “quotes” – é",'] * 10_000 + ['  "cjk": "日本語"']
    assert measure_width(lines) == len(lines[0])
    assert measured == ['  "cjk": "日本語"']
