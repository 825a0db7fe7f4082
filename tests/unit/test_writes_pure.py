"""Pure parts of the safe-write path: validation, editor form, diff, warnings, merge (no network)."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from explorer.services import write_targets, writes
from explorer.services.canonical import CanonicalLines, dump_lines, dump_text, hide_top_level
from explorer.services.diff import changes, diff_stats, document_diff, unified_lines
from explorer.services.json_check import InvalidJson, check_json, parse_document
from explorer.services.merge import three_way_merge

FLOW: dict[str, Any] = {
    "_id": "6571ecd15bc5e3f7c6026ea6",
    "name": "Shopify Orders",
    "disabled": False,
    "pageGenerators": [{"_exportId": "e1", "skipRetries": False}],
    "pageProcessors": [
        {"type": "export", "_exportId": "e2", "responseMapping": {"fields": [], "lists": []}},
        {"type": "import", "_importId": "i1"},
    ],
    "schedule": "? 0/15 * * * *",
    "createdAt": "2026-02-20T09:00:00.000Z",
    "lastModified": "2026-11-15T09:00:00.000Z",
    "lastModifiedBy": "6571a3c03ab4556bd87ba3e2",
}


class FakeApi:
    """Just enough of the client for pure planning (no requests)."""

    base_url = "https://api.integrator.io/v1/"
    read_only = False

    async def get_json(self, path: str) -> Any:
        raise AssertionError("no requests in pure tests")

    async def put_json(self, path: str, doc: Any) -> Any:
        raise AssertionError("no requests in pure tests")


def session(doc: dict[str, Any] | None = None, kind: str = "flows") -> writes.EditSession:
    target = write_targets.resource_target(kind, "6571ecd15bc5e3f7c6026ea6")
    return writes.new_session(FakeApi(), target, "prod", copy.deepcopy(doc or FLOW))


# --- validation ---------------------------------------------------------------------------------------------


def test_json_error_has_line_and_column() -> None:
    problem = check_json('{\n  "a": 1,\n  "b": \n}')
    assert problem is not None
    assert (problem.line, problem.column) == (4, 1)
    assert "Expecting value" in problem.message
    assert str(problem).startswith("line 4, column 1:")


def test_missing_comma_points_at_the_next_key() -> None:
    problem = check_json('{\n  "a": 1\n  "b": 2\n}')
    assert problem is not None and (problem.line, problem.column) == (3, 3)


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": -Infinity}', '{"a": Infinity}'])
def test_non_standard_constants_are_refused_with_a_position(text: str) -> None:
    with pytest.raises(InvalidJson) as caught:
        parse_document(text)
    assert caught.value.problem.line == 1
    assert caught.value.problem.column == text.index(": ") + 3


@pytest.mark.parametrize(("text", "what"), [("[1, 2]", "an array"), ('  "x"', "a string"), ("null", "null")])
def test_the_document_must_be_an_object(text: str, what: str) -> None:
    problem = check_json(text)
    assert problem is not None and what in problem.message
    assert problem.column == len(text) - len(text.lstrip()) + 1


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    assert check_json("[" * 100_000 + "]" * 100_000) is not None


def test_valid_json_has_no_problem() -> None:
    assert check_json(json.dumps(FLOW)) is None


# --- editor form --------------------------------------------------------------------------------------------


def test_editor_form_keeps_unicode_but_escapes_what_a_terminal_would_act_on() -> None:
    doc = {"name": "Café ☕", "odd": "a\u2028b\u2029c\x85d", "csi": "\x9b31m\u202eevil\x7f"}
    text = dump_text(doc)
    assert '"name": "Café ☕"' in text
    assert '"csi": "\\u009b31m\\u202eevil\\u007f"' in text
    assert text.splitlines() == text.split("\n")  # nothing Python would split on besides \n
    assert text.isascii() is False and all(ord(c) < 0x7F or ord(c) > 0x9F for c in text)
    assert json.loads(text) == doc


def _mutations(lines: list[str], rng: random.Random) -> list[str]:
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(out))
        line = out[index]
        choice = rng.randrange(7)
        if choice == 0:
            out[index] = line.replace("1", "7")
        elif choice == 1:
            out[index] = line.replace("true", "1").replace("null", "false")
        elif choice == 2:
            out[index] = line.replace("1.5", "1.50").replace("2,", "2.0,")
        elif choice == 3:
            del out[index]
        elif choice == 4:
            out.insert(index, line)
        elif choice == 5:
            out[index] = line.replace('"d"', '"dd"').replace('"c":', '"cc":')
        else:
            out[index] = "  " + line + " "
    return out


def test_derived_lines_equal_a_full_dump_for_random_edits() -> None:
    doc = {
        "_id": "x", "a": [1, 2, {"b": [True, None, 1.5, {"c": "d"}], "e": {}}],
        "f": {"g": [], "h": {"i": "j\u2028k", "c": 2}}, "lastModified": "z",
    }
    base = CanonicalLines.of(doc)
    rng = random.Random(0)
    checked = 0
    for _ in range(3000):
        lines = _mutations(list(base.lines), rng)
        try:
            edited = json.loads("\n".join(lines))
        except ValueError:
            continue
        checked += 1
        assert base.derive(lines, edited) == dump_lines(edited), lines
    assert checked > 1000


def test_derive_catches_type_only_changes() -> None:
    base = CanonicalLines.of({"a": {"b": 1, "c": True}})
    lines = list(base.lines)
    lines[2] = lines[2].replace("1", "1.0")
    lines[3] = lines[3].replace("true", "1")
    edited = json.loads("\n".join(lines))
    assert base.derive(lines, edited) == dump_lines(edited)
    assert '    "b": 1.0,' in base.derive(lines, edited)


def test_hide_top_level_fixes_the_trailing_comma() -> None:
    lines = dump_lines({"name": "n", "lastModified": "t"})
    assert hide_top_level(lines, ["lastModified"]) == ["{", '  "name": "n"', "}"]
    assert hide_top_level(dump_lines({"_id": {"x": 1}}), ["_id"]) is None  # multi-line: caller formats


# --- diff -------------------------------------------------------------------------------------------------


def test_unified_diff_matches_diff_u_format() -> None:
    before = [f"line {n}" for n in range(20)]
    after = list(before)
    after[10] = "changed"
    assert unified_lines(before, after) == [
        "--- server", "+++ edited", "@@ -8,7 +8,7 @@",
        " line 7", " line 8", " line 9", "-line 10", "+changed", " line 11", " line 12", " line 13",
    ]
    assert unified_lines(before, before) == []


def test_distant_changes_make_separate_hunks_and_near_ones_merge() -> None:
    before = [str(n) for n in range(40)]
    after = list(before)
    after[2], after[30], after[33] = "a", "b", "c"
    hunks = [line for line in unified_lines(before, after) if line.startswith("@@")]
    assert hunks == ["@@ -1,6 +1,6 @@", "@@ -28,10 +28,10 @@"]


def test_pure_insertion_and_deletion_ranges() -> None:
    assert unified_lines(["a"], ["a", "b"])[2] == "@@ -1 +1,2 @@"
    assert unified_lines(["a", "b"], ["a"])[2] == "@@ -1,2 +1 @@"
    assert unified_lines([], ["x"])[2] == "@@ -0,0 +1 @@"


def test_server_owned_fields_are_not_shown_but_stay_in_the_body() -> None:
    plan = writes.plan_write(session(), dump_text({**FLOW, "name": "Renamed", "lastModified": "changed"}))
    shown = "\n".join(plan.diff)
    assert '-  "name": "Shopify Orders",' in shown and '+  "name": "Renamed",' in shown
    assert "lastModified" not in shown and "_id" not in shown and "createdAt" not in shown
    assert plan.body["_id"] == FLOW["_id"] and plan.body["lastModified"] == "changed"
    assert diff_stats(plan.diff) == (1, 1)


def test_deleted_server_owned_fields_are_put_back_in_the_body() -> None:
    edited = {k: v for k, v in FLOW.items() if k not in ("_id", "createdAt")}
    plan = writes.plan_write(session(), dump_text(edited))
    assert plan.body["_id"] == FLOW["_id"] and plan.body["createdAt"] == FLOW["createdAt"]
    assert not plan.changed and plan.warnings == []


def test_unchanged_text_plans_no_change() -> None:
    edit = session()
    plan = writes.plan_write(edit, edit.base_text)
    assert not plan.changed and plan.diff == []
    assert plan.request_line == "PUT /v1/flows/6571ecd15bc5e3f7c6026ea6"


def test_reformatted_text_shows_only_real_changes() -> None:
    compact = json.dumps({**FLOW, "disabled": True})
    plan = writes.plan_write(session(), compact)
    assert [line for line in plan.diff if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        '-  "disabled": false,', '+  "disabled": true,'
    ]


def test_document_diff_formats_both_sides() -> None:
    lines = document_diff({"a": 1, "_id": "x"}, {"a": 2, "_id": "y"})
    assert lines[3:] == [" {", '-  "a": 1', '+  "a": 2', " }"]


def test_changes_lists_key_paths() -> None:
    after = copy.deepcopy(FLOW)
    after["pageProcessors"][1]["_importId"] = "i9"
    after["pageGenerators"].append({"_exportId": "e3"})
    del after["schedule"]
    after["description"] = "new"
    found = {c.label: c for c in changes(FLOW, after, ignore_top=("lastModified",))}
    assert set(found) == {"pageProcessors[1]._importId", "pageGenerators", "schedule", "description"}
    assert found["schedule"].kind == "removed" and found["description"].kind == "added"
    assert found["pageGenerators"].describe() == "pageGenerators: 1 → 2 items"
    assert found["pageProcessors[1]._importId"].describe() == 'pageProcessors[1]._importId: "i1" → "i9"'


# --- warnings -----------------------------------------------------------------------------------------------


def test_masked_secrets_are_warned_about() -> None:
    connection = {"_id": "c", "name": "Shop", "http": {"auth": {"token": {"token": "******"}}}}
    plan = writes.plan_write(session(connection, "connections"), dump_text({**connection, "name": "Shop 2"}))
    assert [(w.kind, w.path) for w in plan.warnings] == [("masked_secret", "http.auth.token.token")]
    typed = {**connection, "http": {"auth": {"token": {"token": "real-secret"}}}}
    assert writes.plan_write(session(connection, "connections"), dump_text(typed)).warnings == []


def test_an_escaped_mask_is_still_found() -> None:
    connection = {"_id": "c", "secret": "******"}
    text = '{"_id": "c", "secret": "\\u002a\\u002a\\u002a\\u002a\\u002a\\u002a"}'
    plan = writes.plan_write(session(connection, "connections"), text)
    assert [w.kind for w in plan.warnings] == ["masked_secret"]


def test_removed_fields_and_items_are_warned_about() -> None:
    edited = copy.deepcopy(FLOW)
    del edited["schedule"]
    del edited["pageProcessors"][0]["responseMapping"]
    edited["pageGenerators"] = []
    del edited["lastModifiedBy"]  # server-owned: no warning (and it is put back)
    plan = writes.plan_write(session(), dump_text(edited))
    assert {(w.kind, w.path) for w in plan.warnings} == {
        ("removed", "schedule"),
        ("removed", "pageProcessors[0].responseMapping"),
        ("shrunk", "pageGenerators"),
    }
    assert all("eras" in w.message for w in plan.warnings)


# --- merge --------------------------------------------------------------------------------------------------


def test_merge_applies_non_overlapping_changes_from_both_sides() -> None:
    mine = copy.deepcopy(FLOW)
    mine["name"] = "Mine"
    mine["pageProcessors"][1]["proceedOnFailure"] = True
    server = copy.deepcopy(FLOW)
    server["description"] = "added by someone else"
    server["pageProcessors"][0]["_exportId"] = "e9"
    server["lastModified"] = "2026-11-28T00:00:00.000Z"
    result = three_way_merge(FLOW, mine, server)
    assert result.clean
    assert result.document["name"] == "Mine"
    assert result.document["description"] == "added by someone else"
    assert result.document["pageProcessors"][0]["_exportId"] == "e9"
    assert result.document["pageProcessors"][1]["proceedOnFailure"] is True
    assert result.document["lastModified"] == "2026-11-28T00:00:00.000Z"


def test_merge_reports_conflicts_and_keeps_the_server_value() -> None:
    mine = {**FLOW, "name": "Mine", "schedule": None}
    server = {**FLOW, "name": "Theirs"}
    del server["schedule"]
    result = three_way_merge(FLOW, mine, server)
    first = result.conflicts[0]
    assert (first.label, first.mine, first.server) == ("name", "Mine", "Theirs")
    assert result.document["name"] == "Theirs"
    assert len(result.conflicts) == 2 and "schedule" not in result.document


def test_merge_of_same_change_and_deletions() -> None:
    mine = {k: v for k, v in FLOW.items() if k != "schedule"}
    server = {k: v for k, v in FLOW.items() if k != "schedule"}
    mine["disabled"] = server["disabled"] = True
    result = three_way_merge(FLOW, mine, server)
    assert result.clean and "schedule" not in result.document and result.document["disabled"] is True


def test_merge_treats_resized_arrays_as_one_value() -> None:
    mine = copy.deepcopy(FLOW)
    mine["pageGenerators"].append({"_exportId": "mine"})
    server = copy.deepcopy(FLOW)
    server["pageGenerators"][0]["skipRetries"] = True
    result = three_way_merge(FLOW, mine, server)
    assert [c.label for c in result.conflicts] == ["pageGenerators"]
    assert result.document["pageGenerators"] == server["pageGenerators"]


def test_merge_onto_returns_rebased_session_and_text() -> None:
    edit = session()
    server = {**FLOW, "description": "theirs", "lastModified": "2026-11-28T00:00:00.000Z"}
    rebased, result, text = writes.merge_onto(edit, dump_text({**FLOW, "name": "Mine"}), server)
    assert result.clean
    assert json.loads(text) == {**server, "name": "Mine"}
    assert rebased.base == server and rebased.base_version == "2026-11-28T00:00:00.000Z"


# --- targets ------------------------------------------------------------------------------------------------


def test_targets_and_request_paths() -> None:
    api = FakeApi()
    flow = write_targets.resource_target("flow", "f1", name="Orders")
    assert (flow.kind, flow.path, flow.label) == ("flows", "flows/f1", "flow 'Orders' (f1)")
    assert write_targets.request_path(api, flow) == "/v1/flows/f1"
    retry = write_targets.retry_data_target("f1", "s1", "k1")
    assert write_targets.request_path(api, retry) == "/v1/flows/f1/s1/k1/data"
    assert retry.version_field is None and retry.server_owned == ()
    with pytest.raises(ValueError):
        write_targets.resource_target("jobs", "j1")


def test_version_is_last_modified_or_a_content_hash() -> None:
    flow = write_targets.resource_target("flows", "f1")
    assert write_targets.document_version(flow, FLOW) == FLOW["lastModified"]
    retry = write_targets.retry_data_target("f", "s", "k")
    one = write_targets.document_version(retry, {"data": {"a": 1}})
    assert one.startswith("sha256:") and one != write_targets.document_version(retry, {"data": {"a": 2}})
    assert one == write_targets.document_version(retry, {"data": {"a": 1}})


def test_read_only_refusal_says_why() -> None:
    reason = write_targets.write_refusal(True)
    assert reason is not None and "read-only" in reason
    assert write_targets.write_refusal(False) is None
    assert write_targets.write_refusal(False, "outside this token's scope") == "outside this token's scope"
