"""One JSON path style everywhere: the diff, the merge, the masked-secret warnings and the JSON pane agree."""

from __future__ import annotations

import pytest

from explorer.model import masked_secret_paths
from explorer.model.paths import ROOT_LABEL, format_path, parse_path, path_label
from explorer.services.diff import changes
from explorer.services.merge import three_way_merge


@pytest.mark.parametrize(
    ("doc_before", "doc_after", "label"),
    [
        ({"$": 1}, {"$": 2}, '["$"]'),  # `$.x` would read back as the root marker
        ({"a b": 1}, {"a b": 2}, '["a b"]'),
        ({"p": [{"_importId": "x"}]}, {"p": [{"_importId": "y"}]}, "p[0]._importId"),
        ({"k": {"ключ": 1}}, {"k": {"ключ": 2}}, 'k["ключ"]'),
    ],
)
def test_a_change_is_labelled_with_the_path_the_json_pane_copies(doc_before: object, doc_after: object,
                                                                   label: str) -> None:
    [change] = changes(doc_before, doc_after)
    assert change.label == label
    assert parse_path(change.label) == list(change.path)


def test_the_root_has_an_empty_path_and_a_label_for_sentences() -> None:
    assert format_path(()) == ""
    assert path_label(()) == ROOT_LABEL == "(document)"
    [change] = changes([1], [1, 2])
    assert change.label == "(document)"


def test_merge_conflicts_use_the_same_style() -> None:
    result = three_way_merge({"$": 1}, {"$": 2}, {"$": 3})
    assert [conflict.label for conflict in result.conflicts] == ['["$"]']


def test_masked_secret_paths_use_the_same_style() -> None:
    doc = {"http": {"auth": {"token": {"token": "******"}}}, "odd key": ["x", "******"], "$": "******"}
    assert masked_secret_paths(doc) == ["http.auth.token.token", '["odd key"][1]', '["$"]']
    for path in masked_secret_paths(doc):
        assert format_path(parse_path(path)) == path
