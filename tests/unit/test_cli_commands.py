"""Each command against the in-process simulator (``--demo``): output, ``--json``, exit codes, refusals."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from explorer.cli import main
from explorer.simulator import DEMO_TOKENS
from explorer.simulator import demo_ids as d
from tests.helpers.cli import CSI_OR_OSC, Cap, isolate, run, run_json

MP = pytest.MonkeyPatch



@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: MP) -> None:
    isolate(tmp_path, monkeypatch)






# --- token, ls, tree, get --------------------------------------------------------------------------------


def test_token_human_and_json(capsys: Cap) -> None:
    code, out, _ = run(capsys, "token")
    assert code == 0
    assert f"user       {d.USER_ID}" in out and "scope      full access" in out
    code, doc, _ = run_json(capsys, "--demo-token", "scoped", "token")
    assert code == 0
    assert doc["scope"] == "custom" and doc["import_ids"] == [d.IMP_NS_SALES_ORDER]
    assert doc["raw"]["_userId"] == d.USER_ID


@pytest.mark.parametrize(("kind", "count", "some_id"), [
    ("integrations", 6, d.INT_SHOPIFY),
    ("flows", 9, d.SHOPIFY_FLOW),
    ("exports", 10, d.EXP_SHOPIFY_ORDERS),
    ("imports", 10, d.IMP_NS_SALES_ORDER),
    ("connections", 8, d.CONN_FTP_OFFLINE),
])
def test_ls_every_kind(kind: str, count: int, some_id: str, capsys: Cap) -> None:
    code, out, err = run(capsys, "ls", kind)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("ID  ") and len(lines) == count + 1
    assert any(line.startswith(some_id + "  ") for line in lines)
    assert err.strip() == f"{count} {kind}"
    # Columns are aligned: every row's second column starts where the header's does.
    start = lines[0].index("NAME")
    assert all(line[start - 2:start] == "  " and line[start] != " " for line in lines[1:])
    code, docs, _ = run_json(capsys, "ls", kind)
    assert code == 0 and len(docs) == count and some_id in {doc["_id"] for doc in docs}


def test_ls_flows_of_one_integration_and_states(capsys: Cap) -> None:
    code, out, _ = run(capsys, "ls", "flows", "--integration", d.INT_SALESFORCE)
    assert code == 0
    rows = out.splitlines()[1:]
    assert {row.split()[0] for row in rows} == {d.FLOW_SF_CUSTOMERS, d.FLOW_SF_CONTACTS}
    assert "disabled" in next(row for row in rows if row.startswith(d.DISABLED_FLOW))
    assert run(capsys, "ls", "exports", "--integration", d.INT_SALESFORCE)[0] == 2


def test_ls_connections_shows_offline(capsys: Cap) -> None:
    _, out, _ = run(capsys, "ls", "connections")
    assert "offline" in next(line for line in out.splitlines() if line.startswith(d.CONN_FTP_OFFLINE))


def test_ls_with_a_scoped_token_lists_only_what_it_may_see(capsys: Cap) -> None:
    code, docs, _ = run_json(capsys, "--demo-token", "scoped", "ls", "imports")
    assert code == 0 and [doc["_id"] for doc in docs] == [d.IMP_NS_SALES_ORDER]


def test_tree_text_and_json(capsys: Cap) -> None:
    code, out, _ = run(capsys, "tree")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"demo · user {d.USER_ID} · full access"
    assert any("Shopify Orders to NetSuite Sales Orders" in line and "14 open errors" in line
               for line in lines)
    assert any("Create NetSuite invoices" in line and "3,000 open errors" in line for line in lines)
    assert lines[-1].startswith("    └── ")  # the last connection
    code, doc, _ = run_json(capsys, "tree")
    assert code == 0
    names = [item["name"] for item in doc["tree"]]
    assert "Shopify - NetSuite Orders" in names and names[-1] == "Connections"
    shopify = next(item for item in doc["tree"] if item["id"] == d.INT_SHOPIFY)
    flow = shopify["children"][0]
    assert flow["open_errors"] == 14
    assert [step["step_id"] for step in flow["children"]] == [
        d.SHOPIFY_EXPORT_STEP, d.SHOPIFY_LOOKUP_STEP, d.SHOPIFY_IMPORT_STEP]


def test_tree_with_a_scoped_token_shows_only_its_part(capsys: Cap) -> None:
    code, doc, _ = run_json(capsys, "--demo-token", "noconn", "tree", "--no-steps")
    assert code == 0
    assert doc["scope"] == "custom: 2 exports, 1 import"
    assert [item["id"] for item in doc["tree"]] == [d.INT_SHOPIFY, ""]
    connections = doc["tree"][-1]
    assert connections["kind"] == "connections" and connections["children"] is None
    assert connections["failure"]["error"] == "outside this token's scope"
    _, out, _ = run(capsys, "--demo-token", "noconn", "tree", "--no-steps")
    assert out.splitlines()[-1] == "└── Connections · locked: outside this token's scope"


def test_get_prints_the_document_as_json(capsys: Cap) -> None:
    code, out, _ = run(capsys, "get", f"/v1/flows/{d.SHOPIFY_FLOW}")
    assert code == 0 and json.loads(out)["_id"] == d.SHOPIFY_FLOW
    code, out, _ = run(capsys, "--json", "get", f"flows/{d.SHOPIFY_FLOW}")
    assert code == 0 and json.loads(out)["name"] == "Shopify Orders to NetSuite Sales Orders"


# --- exit codes ------------------------------------------------------------------------------------------


def test_not_found_is_exit_1_with_a_clear_message(capsys: Cap) -> None:
    code, out, err = run(capsys, "get", "flows/000000000000000000000000")
    assert code == 1 and out == ""
    assert err.startswith("iox: error: not found (HTTP 404) (GET /v1/flows/000000000000000000000000)")


def test_forbidden_is_exit_1(capsys: Cap) -> None:
    code, doc, err = run_json(capsys, "--demo-token", "scoped", "get", f"connections/{d.CONN_AMAZON}")
    assert code == 1
    assert doc["error"]["status"] == 403 and doc["error"]["kind"] == "Forbidden"
    assert "forbidden (HTTP 403)" in err


def test_unauthorized_is_exit_3(capsys: Cap) -> None:
    code, out, err = run(capsys, "--demo-token", "revoked", "ls", "flows")
    assert code == 3 and out == ""
    assert "authentication failed (HTTP 401)" in err and "demo token 'revoked'" in err
    assert "iox login" in err


def test_validation_failure_lists_every_field(capsys: Cap,
                                              monkeypatch: MP) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"name": "", "pageGenerators": "nope"}'))
    code, out, err = run(capsys, "--json", "put", f"flows/{d.SHOPIFY_FLOW}", "-", "--yes")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["status"] == 422 and error["errors"]
    for item in error["errors"]:
        assert f"  - {item['field']}: {item['message']} [{item['code']}]" in err


# --- errors, retry, resolve ------------------------------------------------------------------------------


def test_errors_table_escapes_terminal_sequences(capsys: Cap) -> None:
    code, out, err = run(capsys, "errors", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    assert code == 0
    assert not any(seq in out for seq in CSI_OR_OSC)
    assert "Vireo\\e]52;c;" in out  # the OSC 52 clipboard sequence is shown, not obeyed
    assert "[bold]Customer Category[/bold]" in out  # markup shown literally
    assert err.strip() == "7 open errors"
    code, errors, _ = run_json(capsys, "errors", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    assert len(errors) == 7 and any("\x1b]52" in e["message"] for e in errors)  # JSON keeps the data exact


def test_errors_filters_and_limit(capsys: Cap) -> None:
    _, all_errors, _ = run_json(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
    assert len(all_errors) == 12
    _, missing, _ = run_json(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP,
                             "--classification", "missing")
    assert missing and len(missing) < 12 and {e["classification"] for e in missing} == {"missing"}
    _, limited, _ = run_json(capsys, "errors", d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP, "--limit", "5")
    assert len(limited) == 5
    newest = max(e["occurredAt"] for e in all_errors)
    _, since, _ = run_json(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "--since", newest)
    assert [e["occurredAt"] for e in since] == [newest]
    _, resolved, _ = run_json(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "--resolved")
    assert len(resolved) == 25 and all(e.get("resolvedAt") for e in resolved)
    assert run(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "--since", "yesterday")[0] == 2


def test_retry_by_id_reports_unknown_ids(capsys: Cap) -> None:
    _, errors, _ = run_json(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
    first, second = errors[0]["errorId"], errors[1]["errorId"]
    code, report, _ = run_json(capsys, "retry", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, first, second,
                               "nope", "--no-follow")
    assert code == 1  # one id was not among the open errors
    assert report["sent"] == [first, second] and report["unknown"] == ["nope"]
    assert len(report["jobs"]) == 1 and report["jobs"][0]["type"] == "retry"


def test_resolve_all_with_a_filter(capsys: Cap) -> None:
    code, out, _ = run(capsys, "resolve", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "--all",
                       "--classification", "missing")
    assert code == 0
    assert out.splitlines()[0].startswith("4 of 4 resolved in 1 batch")


def test_retry_ids_from_stdin(capsys: Cap, monkeypatch: MP) -> None:
    _, errors, _ = run_json(capsys, "errors", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    ids = [e["errorId"] for e in errors[:3]]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(ids) + "\n"))
    code, report, _ = run_json(capsys, "retry", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP, "-",
                               "--no-follow")
    assert code == 0 and report["sent"] == ids


def test_bulk_needs_ids_or_all(capsys: Cap) -> None:
    assert run(capsys, "retry", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)[0] == 2
    assert run(capsys, "resolve", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "--all", "x")[0] == 2


# --- run, jobs -------------------------------------------------------------------------------------------


def test_run_prints_the_job_and_jobs_lists_it(capsys: Cap) -> None:
    code, started, _ = run_json(capsys, "run", d.SHOPIFY_FLOW)
    assert code == 0 and started["flow_id"] == d.SHOPIFY_FLOW and started["job_id"]
    code, out, _ = run(capsys, "jobs", d.SHOPIFY_FLOW)
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["JOB", "TYPE", "STATUS"]
    assert rows[0].split()[1] == "flow" and rows[1].startswith("  ")  # child jobs are indented
    code, jobs, _ = run_json(capsys, "jobs", d.SHOPIFY_FLOW, "--history", "--limit", "2")
    assert code == 0 and 1 <= len(jobs) <= 2 and all(job["_flowId"] == d.SHOPIFY_FLOW for job in jobs)


def test_run_wait_follows_the_job_to_its_end(capsys: Cap) -> None:
    code, doc, err = run_json(capsys, "run", d.FLOW_LICENSE_USAGE, "--wait", "--timeout", "0.2")
    assert code == 1 and doc["finished"] is False and "still running" in err
    code, doc, _ = run_json(capsys, "run", d.FLOW_LICENSE_USAGE, "--wait", "--timeout", "20")
    assert code == 0 and doc["finished"] is True and doc["job"]["status"] == "completed"
    assert run(capsys, "run", d.FLOW_LICENSE_USAGE, "--timeout", "5")[0] == 2  # --timeout needs --wait


def test_run_with_a_scoped_token_is_forbidden(capsys: Cap) -> None:
    assert run(capsys, "--demo-token", "scoped", "run", d.SHOPIFY_FLOW)[0] == 1


# --- read-only -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["run", d.SHOPIFY_FLOW],
    ["retry", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "--all"],
    ["resolve", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "x"],
    ["put", f"flows/{d.SHOPIFY_FLOW}", "-", "--yes"],
])
def test_read_only_refuses_every_change_and_says_why(argv: list[str], capsys: Cap) -> None:
    code, out, err = run(capsys, "--read-only", *argv)
    assert code == 1 and out == ""
    assert "read-only session (--read-only was given); nothing was sent" in err


# --- put -------------------------------------------------------------------------------------------------


def _flow_file(tmp_path: Path, capsys: Cap, **changes: Any) -> Path:
    _, doc, _ = run_json(capsys, "get", f"flows/{d.SHOPIFY_FLOW}")
    doc.update(changes)
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_put_with_yes_shows_the_diff_saves_and_journals(tmp_path: Path, capsys: Cap) -> None:
    file = _flow_file(tmp_path, capsys, description="Edited from the CLI")
    code, out, _ = run(capsys, "put", f"flows/{d.SHOPIFY_FLOW}", str(file), "--yes")
    assert code == 0
    assert '+  "description": "Edited from the CLI",' in out
    assert f"Saved flow {d.SHOPIFY_FLOW}: PUT /v1/flows/{d.SHOPIFY_FLOW} → 200" in out
    journal = tmp_path / "state" / "integrator-explorer" / "journal.jsonl"
    entry = json.loads(journal.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["method"] == "PUT" and entry["profile"] == "demo" and entry["status"] == 200
    assert entry["after"]["description"] == "Edited from the CLI"
    assert entry["before"]["description"] != "Edited from the CLI"


def test_put_without_a_terminal_or_yes_refuses(tmp_path: Path, capsys: Cap) -> None:
    file = _flow_file(tmp_path, capsys, description="x")
    code, _, err = run(capsys, "put", f"flows/{d.SHOPIFY_FLOW}", str(file))
    assert code == 2 and "pass --yes" in err
    assert not (tmp_path / "state" / "integrator-explorer" / "journal.jsonl").exists()


def test_put_asks_on_a_terminal(tmp_path: Path, capsys: Cap) -> None:
    file = _flow_file(tmp_path, capsys, description="asked")

    class Prompter:
        interactive = True

        def __init__(self) -> None:
            self.questions: list[str] = []

        def ask(self, question: str) -> str:
            self.questions.append(question)
            return "n"

        def secret(self, question: str) -> str:
            raise AssertionError("no secret expected")

    prompter = Prompter()
    code = main(["--demo", "put", f"flows/{d.SHOPIFY_FLOW}", str(file)], prompter=prompter)
    _, err = capsys.readouterr()
    assert code == 1 and "not confirmed; nothing was sent" in err
    assert prompter.questions == [f"PUT /v1/flows/{d.SHOPIFY_FLOW}: replace flow {d.SHOPIFY_FLOW}? [y/N] "]


def test_put_refuses_a_file_fetched_before_the_last_save(tmp_path: Path,
                                                        capsys: Cap) -> None:
    file = _flow_file(tmp_path, capsys, description="late", lastModified="2020-01-01T00:00:00.000Z")
    code, doc, err = run_json(capsys, "put", f"flows/{d.SHOPIFY_FLOW}", str(file), "--yes")
    assert code == 1 and doc["stale"] is True and doc["saved"] is False
    assert "changed on the server since" in err and "Nothing was sent" in err
    code, doc, _ = run_json(capsys, "put", f"flows/{d.SHOPIFY_FLOW}", str(file), "--yes", "--force")
    assert code == 0 and doc["saved"] is True


def test_put_dry_run_warns_and_sends_nothing(tmp_path: Path, capsys: Cap) -> None:
    _, doc, _ = run_json(capsys, "get", f"flows/{d.SHOPIFY_FLOW}")
    del doc["pageProcessors"]
    file = tmp_path / "flow.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    code, result, err = run_json(capsys, "put", f"flows/{d.SHOPIFY_FLOW}", str(file), "--dry-run")
    assert code == 0 and result["dry_run"] is True and result["saved"] is False
    assert [w["kind"] for w in result["warnings"]] == ["removed"]
    assert "pageProcessors is removed entirely" in err
    assert any(line.startswith('-  "pageProcessors"') for line in result["diff"])


@pytest.mark.parametrize(("text", "message"), [
    ('{"name": ', "line 1, column 10"),
    ("[1, 2]", "must be a JSON object"),
])
def test_put_reports_bad_json_with_its_position(text: str, message: str, capsys: Cap,
                                                monkeypatch: MP) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, _, err = run(capsys, "put", f"flows/{d.SHOPIFY_FLOW}", "-", "--yes")
    assert code == 2 and message in err


def test_put_only_takes_a_document_path(capsys: Cap) -> None:
    code, _, err = run(capsys, "put", "flows", "-", "--yes")
    assert code == 2 and "iox put writes one document" in err


# --- odds and ends ---------------------------------------------------------------------------------------


def test_verbose_logs_each_request_on_stderr(capsys: Cap) -> None:
    code, out, err = run(capsys, "-v", "ls", "integrations")
    assert code == 0 and "iox: GET" not in out
    assert re.search(r"^iox: GET /v1/integrations → 200 in \d+ ms$", err, flags=re.MULTILINE)


def test_demo_login_checks_the_token_but_stores_nothing(tmp_path: Path, capsys: Cap, monkeypatch: MP) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(DEMO_TOKENS["eu"]))
    code, out, err = run(capsys, "login", "--token-stdin")
    assert code == 0 and "EU account" in out
    assert "this token belongs to the EU account" in err and "nothing was stored" in err
    assert not (tmp_path / "config").exists()
