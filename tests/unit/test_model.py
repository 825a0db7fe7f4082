"""The model reads whatever the API (or a proxy, or an older account) sends, without crashing or guessing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from explorer.model import (
    Connection,
    ErrorKey,
    ErrorRecord,
    Export,
    Flow,
    FlowErrorCount,
    Import,
    Integration,
    Job,
    RetryData,
    StepErrorCount,
    TokenInfo,
    format_timestamp,
    masked_secret_paths,
    parse_timestamp,
    schedule_in_words,
)


# ------------------------------------------------------------------------------------------------ timestamps
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-06-19T21:27:09.945Z", datetime(2017, 6, 19, 21, 27, 9, 945000, tzinfo=UTC)),
        ("2017-06-19T21:27:09Z", datetime(2017, 6, 19, 21, 27, 9, tzinfo=UTC)),
        ("2017-06-19T21:27:09", datetime(2017, 6, 19, 21, 27, 9, tzinfo=UTC)),
        ("2017-06-19", datetime(2017, 6, 19, tzinfo=UTC)),
        (1497907629945, datetime(2017, 6, 19, 21, 27, 9, 945000, tzinfo=UTC)),
    ],
)
def test_timestamps_with_and_without_millis_become_aware(text: object, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_timestamp_offset_is_kept_and_compares_correctly() -> None:
    parsed = parse_timestamp("2017-06-19T23:27:09.945+02:00")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=2)
    assert parsed == datetime(2017, 6, 19, 21, 27, 9, 945000, tzinfo=UTC)


@pytest.mark.parametrize("junk", [None, "", "yesterday", "2017-13-45T00:00:00Z", True, [], {}, 10**30])
def test_unreadable_timestamps_are_none(junk: object) -> None:
    assert parse_timestamp(junk) is None


def test_format_timestamp_is_utc_millis_z() -> None:
    local = datetime(2026, 1, 2, 5, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(local) == "2026-01-02T03:04:05.123Z"
    assert format_timestamp(datetime(2026, 1, 2)) == "2026-01-02T00:00:00.000Z"


# ------------------------------------------------------------------------------------------------ resources
def test_integration_ignores_unknown_fields_and_keeps_raw() -> None:
    raw = {"_id": "a1", "name": "Shop → ERP", "sandbox": False, "futureField": {"x": 1},
           "createdAt": "2026-01-02T03:04:05.000Z", "lastModified": "not a date"}
    integration = Integration.from_json(raw)
    assert (integration.id, integration.name, integration.sandbox) == ("a1", "Shop → ERP", False)
    assert integration.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert integration.last_modified is None
    assert integration.raw == raw and integration.raw is not raw


def test_only_the_id_is_required() -> None:
    for cls in (Integration, Flow, Export, Import, Connection):
        minimal = cls.from_json({"_id": "x"})
        assert minimal.id == "x" and minimal.name == "" and minimal.label == "x"
        with pytest.raises(ValueError, match="_id"):
            cls.from_json({"name": "no id"})
        with pytest.raises(ValueError):
            cls.from_json(["not", "an", "object"])


def test_export_import_connection_fields() -> None:
    export = Export.from_json({"_id": "e1", "name": "Get orders", "_connectionId": "c1",
                               "adaptorType": "HTTPExport", "type": "delta", "isLookup": True})
    assert (export.connection_id, export.adaptor_type, export.export_type, export.is_lookup) == (
        "c1", "HTTPExport", "delta", True)
    imp = Import.from_json({"_id": "i1", "_connectionId": "c2", "adaptorType": "HTTPImport"})
    assert (imp.connection_id, imp.adaptor_type) == ("c2", "HTTPImport")
    conn = Connection.from_json({"_id": "c1", "type": "http", "offline": True})
    assert (conn.type, conn.offline) == ("http", True)
    assert Connection.from_json({"_id": "c1", "offline": "yes"}).offline is None


def test_flow_fields_and_schedule_words() -> None:
    flow = Flow.from_json({"_id": "f1", "name": "Orders", "_integrationId": "a1", "disabled": True,
                           "schedule": "? 0 */2 * * *", "timezone": "UTC",
                           "lastExecutedAt": "2026-11-20T10:00:00Z"})
    assert (flow.integration_id, flow.disabled, flow.timezone) == ("a1", True, "UTC")
    assert flow.schedule_words == "every 2 hours"
    assert flow.last_executed_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert Flow.from_json({"_id": "f2", "disabled": "false"}).disabled is False


# ------------------------------------------------------------------------------------------------ steps
def test_steps_in_flow_order_with_lookups_and_imports() -> None:
    flow = Flow.from_json({
        "_id": "f1",
        "pageGenerators": [{"_exportId": "e1"}, {"_exportId": "e2", "schedule": "? 0 1 * * *"}],
        "pageProcessors": [
            {"type": "export", "_exportId": "l1", "responseMapping": {"fields": [], "lists": []}},
            {"type": "import", "_importId": "i1"},
            {"type": "import"},  # incomplete processor: skipped, not a crash
            "garbage",
        ],
    })
    assert [(s.step_id, s.kind, s.position) for s in flow.steps()] == [
        ("e1", "export", 0), ("e2", "export", 1), ("l1", "lookup", 2), ("i1", "import", 3)]
    assert all(s.flow_id == "f1" and s.id == s.step_id for s in flow.steps())


def test_steps_include_every_router_branch() -> None:
    flow = Flow.from_json({
        "_id": "f1",
        "pageGenerators": [{"_exportId": "e1"}],
        "routers": [
            {"name": "By country", "branches": [
                {"name": "US", "pageProcessors": [{"type": "export", "_exportId": "l1"},
                                                  {"type": "import", "_importId": "i1"}]},
                {"name": "EU", "pageProcessors": [{"type": "import", "_importId": "i2"}]},
            ]},
            {"branches": [{"pageProcessors": [{"_importId": "i3"}]}]},
        ],
    })
    steps = flow.steps()
    assert [(s.step_id, s.kind, s.branch) for s in steps] == [
        ("e1", "export", None),
        ("l1", "lookup", "By country / US"),
        ("i1", "import", "By country / US"),
        ("i2", "import", "By country / EU"),
        ("i3", "import", "Router 2 / Branch 1"),
    ]
    assert [s.position for s in steps] == [0, 1, 2, 3, 4]


def test_legacy_flow_uses_top_level_ids() -> None:
    flow = Flow.from_json({"_id": "f1", "_exportId": "e1", "_importId": "i1"})
    assert [(s.step_id, s.kind) for s in flow.steps()] == [("e1", "export"), ("i1", "import")]


def test_repeated_step_is_listed_once_and_empty_flow_has_no_steps() -> None:
    flow = Flow.from_json({"_id": "f1", "pageGenerators": [{"_exportId": "e1"}],
                           "pageProcessors": [{"type": "import", "_importId": "i1"},
                                              {"type": "import", "_importId": "i1"}]})
    assert [s.step_id for s in flow.steps()] == ["e1", "i1"]
    odd = Flow.from_json({"_id": "f2", "pageGenerators": "oops", "routers": [{"branches": None}]})
    assert odd.steps() == []


# ------------------------------------------------------------------------------------------------ token scope
def test_full_access_token() -> None:
    info = TokenInfo.from_json({"_userId": "u1", "scope": "*"})
    assert (info.scope, info.user_id, info.id) == ("full", "u1", "u1")
    assert info.describe() == "full access"
    assert info.may_access("connection", "anything") is True
    assert info.may_access("flows", "f1") is True


def test_custom_token_from_lists() -> None:
    info = TokenInfo.from_json({"_userId": "u1", "scope": "custom", "_connectionIds": ["c1"],
                                "_exportIds": ["e1", "e2", "e3"], "_importIds": ["i1", "i2"],
                                "_apiIds": [], "_mcpServerIds": []})
    assert info.scope == "custom"
    assert info.describe() == "custom: 1 connection, 3 exports, 2 imports"
    assert info.may_access("exports", "e2") is True
    assert info.may_access("export", "e9") is False
    assert info.may_access("connection", "c1") is True
    assert info.may_access("api", "x") is False
    assert info.may_access("flow", "f1") is None  # depends on the flow's steps: let a 403 decide


def test_custom_token_without_connections_list_grants_none() -> None:
    info = TokenInfo.from_json({"_userId": "u1", "_exportIds": ["e1"], "_importIds": ["i1"]})
    assert info.scope == "custom"
    assert info.connection_ids is None
    assert info.may_access("connections", "c1") is False
    assert info.describe() == "custom: 1 export, 1 import"


def test_custom_token_with_lists_inside_scope_object() -> None:
    info = TokenInfo.from_json({"_userId": "u1", "scope": {"_connectionIds": ["c1", "c2"]}})
    assert info.scope == "custom" and info.connection_ids == ("c1", "c2")
    assert info.describe() == "custom: 2 connections"


@pytest.mark.parametrize("raw", [{"_userId": "u1"}, {}, [], None, "text", {"scope": ""}])
def test_unknown_token_shapes_are_unknown_scope_not_errors(raw: object) -> None:
    info = TokenInfo.from_json(raw)
    assert info.scope == "unknown"
    assert info.describe() == "unknown scope"
    assert info.may_access("connection", "c1") is None


def test_full_access_flag_and_custom_string_scope() -> None:
    assert TokenInfo.from_json({"fullAccess": True}).scope == "full"
    custom = TokenInfo.from_json({"scope": "custom"})
    assert custom.scope == "custom" and custom.describe() == "custom: no resources"


# ------------------------------------------------------------------------------------------------ errors
def test_error_record_tolerates_numeric_fields_and_builds_key() -> None:
    record = ErrorRecord.from_json({"errorId": "7f3a91c2", "occurredAt": "2026-11-20T10:00:00.000Z",
                                    "source": "application", "code": 422, "message": "Missing email",
                                    "classification": "missing", "oIndex": 1, "retryDataKey": "k1",
                                    "reqAndResKey": "r1", "_flowJobId": "j1", "unknown": 1}, "f1", "s1")
    assert record.key == ErrorKey("f1", "s1", "7f3a91c2")
    assert (record.code, record.o_index, record.retriable) == ("422", "1", True)
    assert record.occurred_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert ErrorRecord.from_json({"errorId": "x", "oIndex": "3"}, "f", "s").o_index == "3"
    assert ErrorRecord.from_json({"errorId": "x"}, "f", "s").retriable is False
    with pytest.raises(ValueError, match="errorId"):
        ErrorRecord.from_json({"message": "no id"}, "f", "s")


def test_error_key_is_frozen_hashable_and_distinguishes_steps() -> None:
    a, b = ErrorKey("f1", "s1", "e1"), ErrorKey("f1", "s2", "e1")
    assert len({a, b, ErrorKey("f1", "s1", "e1")}) == 2
    with pytest.raises(AttributeError):
        a.error_id = "e2"  # type: ignore[misc]


def test_error_counts() -> None:
    flow_count = FlowErrorCount.from_json({"_flowId": "f1", "numError": "5",
                                           "lastErrorAt": "2026-11-20T10:00:00Z"})
    assert (flow_count.flow_id, flow_count.id, flow_count.num_error) == ("f1", "f1", 5)
    step_count = StepErrorCount.from_json({"_expOrImpId": "i1", "numError": 0})
    assert (step_count.step_id, step_count.num_error, step_count.last_error_at) == ("i1", 0, None)
    with pytest.raises(ValueError):
        StepErrorCount.from_json({"numError": 2})


def test_retry_data_round_trip_keeps_wrapper() -> None:
    body = {"data": {"id": "SO-1001", "email": None}, "stage": "import", "traceKey": "SO-1001", "x": 1}
    retry = RetryData.from_json(body, "k1")
    assert (retry.id, retry.stage, retry.trace_key, retry.data) == ("k1", "import", "SO-1001", body["data"])
    assert retry.with_data({"id": "SO-1001", "email": "a@b.c"}) == {**body, "data": {"id": "SO-1001",
                                                                                      "email": "a@b.c"}}
    bare = RetryData.from_json([{"id": 1}], "k2")
    assert bare.data == [{"id": 1}] and bare.with_data([{"id": 2}]) == [{"id": 2}]


def test_job_with_children_and_string_counts() -> None:
    job = Job.from_json({"_id": "j1", "type": "flow", "status": "completed", "_flowId": "f1",
                         "numSuccess": "98", "numError": 2, "startedAt": "2026-01-01T00:00:00Z",
                         "children": [{"_id": "j2", "type": "import", "_expOrImpId": "i1", "numError": 2},
                                      {"type": "export"}]})
    assert (job.num_success, job.num_error, job.finished) == (98, 2, True)
    assert [(c.id, c.resource_id, c.num_error) for c in job.children] == [("j2", "i1", 2)]
    assert Job.from_json({"_jobId": "j9"}).id == "j9"
    assert Job.from_json({"_id": "j3", "status": "running"}).finished is False


def test_masked_secret_paths() -> None:
    doc = {"http": {"auth": {"token": {"token": "******"}}, "headers": [{"value": "******"}]}, "name": "x"}
    assert masked_secret_paths(doc) == ["http.auth.token.token", "http.headers[0].value"]
    assert masked_secret_paths({"name": "*****"}) == []


# ------------------------------------------------------------------------------------------------ schedules
@pytest.mark.parametrize(
    ("cron", "words"),
    [
        (None, "manual"),
        ("", "manual"),
        ("   ", "manual"),
        ("? 0 */2 * * *", "every 2 hours"),
        ("? 0 0,2,4,6,8,10,12,14,16,18,20,22 ? * *", "every 2 hours"),
        ("? 0 2 ? * *", "daily at 02:00"),
        ("? 30 1,13 * * *", "daily at 01:30, 13:30"),
        ("? */15 * * * *", "every 15 minutes"),
        ("? 0,30 * * * *", "every 30 minutes"),
        ("? 5 * * * *", "hourly at :05"),
        ("* * * * * *", "every minute"),
        ("0 9 * * 1-5", "at 09:00 on Mon–Fri"),
        ("? 0 9-17 ? * MON-FRI", "hourly from 09:00 to 17:00 on Mon–Fri"),
        ("? 0 2 1 * *", "at 02:00 on day 1 of the month"),
        ("? 0 2 ? 1,7 *", "daily at 02:00 in Jan, Jul"),
        ("? 0 */1 * * *", "every hour"),
    ],
)
def test_schedule_in_words(cron: str | None, words: str) -> None:
    assert schedule_in_words(cron) == words


@pytest.mark.parametrize("odd", ["garbage", "? 0 2", "? 0 25 * * *", "? x y z w v", "? 0 2 ? * FUNDAY",
                                 "a b c d e f g", "? 0 2 L * ?"])
def test_odd_schedules_are_shown_not_crashed_on(odd: str) -> None:
    assert schedule_in_words(odd) == f"cron: {odd}"
