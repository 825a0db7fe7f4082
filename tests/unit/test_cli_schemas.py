"""``iox schemas``, ``iox schemas update --from``, ``iox validate`` and the schema warnings of ``iox put``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate

Cap = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


def run(capsys: Cap, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def installed(capsys: Cap, schemas_source: Path) -> None:
    code, out, _ = run(capsys, "schemas", "update", "--from", str(schemas_source))
    assert code == 0
    assert out.startswith("Installed 77 schema files (20 connections, 26 exports, 11 flows, 20 imports)")


def _connection(capsys: Cap, tmp_path: Path, **http: object) -> Path:
    code, out, _ = run(capsys, "--demo", "get", f"connections/{d.CONN_SHOPIFY}")
    assert code == 0
    doc = json.loads(out)
    doc["http"].update(http)
    path = tmp_path / "conn.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def test_schemas_shows_nothing_then_what_is_installed(capsys: Cap, schemas_source: Path) -> None:
    code, out, err = run(capsys, "schemas")
    assert code == 0 and out == "" and "iox schemas update" in err
    run(capsys, "schemas", "update", "--from", str(schemas_source))
    code, out, _ = run(capsys, "schemas")
    assert code == 0
    assert "commit     082ce7fda20c533ddefb85d3326260f320aafe64" in out
    assert "files      connections 20, exports 26, flows 11, imports 20" in out


def test_update_from_a_missing_path_fails_clearly(capsys: Cap, tmp_path: Path) -> None:
    code, _, err = run(capsys, "schemas", "update", "--from", str(tmp_path / "nope"))
    assert code == 1 and "does not exist" in err


def test_validate_without_schemas_exits_2_and_says_how(capsys: Cap, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    code, out, err = run(capsys, "validate", str(tmp_path / "x.json"))
    assert code == 2 and out == ""
    assert "iox schemas update" in err


@pytest.mark.usefixtures("installed")
def test_validate_clean_and_broken(capsys: Cap, tmp_path: Path) -> None:
    clean = _connection(capsys, tmp_path)
    code, out, err = run(capsys, "validate", str(clean))
    assert (code, out) == (0, "") and "(connection): no problem" in err
    broken = _connection(capsys, tmp_path, mediaType=5, bogus=True)
    code, out, err = run(capsys, "validate", str(broken))
    assert code == 1
    lines = out.splitlines()
    text = broken.read_text().split("\n")
    media_line = next(i for i, line in enumerate(text) if '"mediaType": 5' in line) + 1
    assert f"line {media_line}: http.mediaType: must be string, not a number" in lines
    assert any(line.endswith("http.bogus: not in Celigo's published schema") for line in lines)
    assert "3 problem(s)" in err


@pytest.mark.usefixtures("installed")
def test_validate_kind_given_or_not_inferable(capsys: Cap, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"name": "n"}))
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "--kind" in err
    code, _, _ = run(capsys, "validate", "--kind", "flow", str(path))
    assert code == 0
    code, out, _ = run(capsys, "validate", "--kind", "import", str(path))
    assert code == 1 and "'_connectionId' is required here" in out
    path.write_text("{not json")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1 and "not JSON: line 1, column 2" in err


@pytest.mark.usefixtures("installed")
def test_put_prints_the_schema_warnings_before_asking(capsys: Cap, tmp_path: Path) -> None:
    broken = _connection(capsys, tmp_path, mediaType="yaml")
    code, _, err = run(capsys, "--demo", "put", f"connections/{d.CONN_SHOPIFY}", str(broken), "--dry-run")
    assert code == 0
    assert "iox: warning: Celigo's schema: http.mediaType: \"yaml\" is not one of" in err
    assert err.index("Celigo's schema") < err.index("--dry-run")


@pytest.mark.usefixtures("installed")
def test_schema_warnings_never_block_the_put(capsys: Cap, tmp_path: Path) -> None:
    edited = _connection(capsys, tmp_path, customHeaderNote="added by hand")
    code, out, err = run(capsys, "--demo", "put", f"connections/{d.CONN_SHOPIFY}", str(edited), "--yes")
    assert "http.customHeaderNote: not in Celigo's published schema" in err
    assert code == 0 and "200" in out


def test_update_downloads_from_the_repository_with_progress(capsys: Cap, repo_server: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOX_SCHEMAS_BASE_URL", repo_server)
    code, out, err = run(capsys, "schemas", "update")
    assert code == 0
    assert "fetching schema files of celigo/ai at 082ce7fda20c" in err
    assert out.startswith("Installed 77 schema files (20 connections, 26 exports, 11 flows, 20 imports) from "
                          f"{repo_server}/082ce7fda20c533ddefb85d3326260f320aafe64")
    code, out, _ = run(capsys, "schemas")
    assert f"from       {repo_server}/" in out


def test_a_failed_download_says_so_and_exits_1(capsys: Cap, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A loopback port nobody listens on: the connection is refused at once.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("IOX_SCHEMAS_BASE_URL", f"http://127.0.0.1:{port}")
    code, out, err = run(capsys, "schemas", "update")
    assert code == 1 and out == ""
    assert "schemas not installed: cannot fetch http://127.0.0.1:" in err and "ConnectError" in err
