"""Message templates: what is masked, what is kept, and the grouping of the demo account's errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from explorer.model import ErrorRecord
from explorer.services.error_list import ErrorQuery, apply_query, group_errors
from explorer.services.templates import group_by_template, template_of
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d


@pytest.mark.parametrize(("message", "template"), [
    ("Record SO-1001 rejected by target: invalid value 'x@y.com' for field \"email\"",
     'Record <*> rejected by target: invalid value <*> for field "email"'),
    ("Record 114-8547132-6001104 rejected by target: invalid value for field 'status'.",
     "Record <*> rejected by target: invalid value for field 'status'."),
    ("Insufficient inventory for item ACM-CB-SL (Cutting Board Oil 12oz) at location Columbus DC: 4 "
     "requested",
     "Insufficient inventory for item <*> at location Columbus DC: <*> requested"),
    ("Lookup returned no results for customer email maria.garcia3@example.com",
     "Lookup returned no results for customer email <*>"),
    ("An unexpected error occurred. Error ID: 7d269f9f", "An unexpected error occurred. Error ID: <*>"),
    ("Tax code 'CA-STATE' is not valid for subsidiary Acme US.",
     "Tax code <*> is not valid for subsidiary Acme US."),
    ("limit (5) reached at 2026-11-27T07:05:45.050Z.", "limit (<*>) reached at <*>."),
    ("connect ECONNREFUSED 203.0.113.17:21 (sftp.example is unreachable; the connection is offline)",
     "connect ECONNREFUSED <*> (sftp.example is unreachable; the connection is offline)"),
    ("Please enter value(s) for: Company Name", "Please enter value(s) for: Company Name"),
    ("You can't do it, it's fine", "You can't do it, it's fine"),
    ("", ""),
])
def test_template_masks_variable_parts_and_keeps_field_names(message: str, template: str) -> None:
    assert template_of(message) == template


def test_markup_and_escapes_stay_literal_in_the_template() -> None:
    markup = "Field [bold]Customer Category[/bold] rejected value [red]Wholesale [EU][/red]"
    assert template_of(markup) == markup  # nothing variable: kept exactly, markup included
    escape = "Invalid character in companyname: 'Vireo\x1b]52;c;ZWNo\x07 Analytics Ltd' (not allowed)"
    assert template_of(escape) == "Invalid character in companyname: <*> (not allowed)"


def _record(i: int, message: str, code: str = "422", classification: str = "value") -> ErrorRecord:
    return ErrorRecord("f", "s", f"e{i}", occurred_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i),
                       code=code, message=message, classification=classification,
                       retry_data_key=f"k{i}" if i % 2 == 0 else None)


def test_groups_count_codes_classifications_first_and_last() -> None:
    rows = [_record(i, f"Record SO-{i} rejected: invalid value '{i}@x.com' for field \"email\"")
            for i in range(5)]
    rows += [_record(9, "Please enter value(s) for: Customer", "USER_ERROR", "missing"),
             _record(7, "Record SO-7 rejected: invalid value 'q@x.com' for field \"email\"", "invalid_field")]
    groups = group_by_template(rows)
    assert [g.template for g in groups] == [
        'Record <*> rejected: invalid value <*> for field "email"', "Please enter value(s) for: Customer"]
    top = groups[0]
    assert (top.count, top.codes, top.classifications, top.retryable) == (6, ("422", "invalid_field"),
                                                                          ("value",), 3)
    assert top.first == rows[0].occurred_at and top.last == rows[-1].occurred_at
    assert top.as_json() == {"template": top.template, "count": 6, "codes": ["422", "invalid_field"],
                             "classifications": ["value"], "first": "2026-11-01T00:00:00.000Z",
                             "last": "2026-11-01T07:00:00.000Z"}


def test_query_filters_to_one_template_and_error_list_groups_by_template() -> None:
    rows = [_record(i, f"Item BC-ACM-{i} could not be found") for i in range(4)] + [_record(5, "Other")]
    query = ErrorQuery().with_quick_filter("template", "Item <*> could not be found")
    assert [r.error_id for r in apply_query(rows, query)] == ["e0", "e1", "e2", "e3"]
    assert "template=Item <*> could not be found" in query.describe()
    groups = group_errors(rows, "template")
    assert [(g.value, g.count) for g in groups] == [("Item <*> could not be found", 4), ("Other", 1)]
    assert groups[0].sample.startswith("422 · value · since 2026-11-01 00:00")
    assert template_of(rows[0].message) == "Item <*> could not be found"


def test_demo_account_messages_form_few_templates() -> None:
    sim = Simulator(seed=0, time_scale=0)
    rows = [ErrorRecord.from_json(raw, d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
            for raw in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)]
    groups = group_by_template(rows)
    assert sum(g.count for g in groups) == 3000
    # one "Insufficient inventory" template per warehouse, whatever the item or quantities
    prefix = "Insufficient inventory for item <*> at location"
    inventory = [g for g in groups if g.template.startswith(prefix)]
    assert len(inventory) == 4 and sum(g.count for g in inventory) > 2500
    assert len(groups) <= 8


def test_digits_never_survive_so_messages_differing_in_digits_share_a_template() -> None:
    messages = ["Record REC-099999 rejected: 'field2' bad", "Limit (5) for TSTDRV1234567 at 10:04:59",
                "item ACM-CB-SL (Glass Storage Lids (3-pack)) at 'x9 y'", "v2.0 of 'abc1' is 3x"]
    for message in messages:
        template = template_of(message)
        assert not any(ch.isdigit() for ch in template)
        assert template_of(message.translate(str.maketrans("0123456789", "9876543210"))) == template
