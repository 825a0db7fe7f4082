"""The CLI grammar: where options may go, usage errors (exit 2), and that a token never enters argv."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.cli import build_parser, main
from tests.helpers.cli import isolate

Cap = pytest.CaptureFixture[str]
MP = pytest.MonkeyPatch

SECRET = "f00dfacecafebabe0123456789abcdef"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: MP) -> None:
    isolate(tmp_path, monkeypatch)


def test_session_options_go_before_or_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--json", "--profile", "prod", "--read-only", "ls", "flows"])
    after = parser.parse_args(["ls", "flows", "--json", "--profile", "prod", "--read-only"])
    for args in (before, after):
        assert (args.command, args.kind, args.json, args.profile, args.read_only) == (
            "ls", "flows", True, "prod", True)
    plain = parser.parse_args(["ls", "flows"])
    assert (plain.json, plain.profile, plain.read_only, plain.demo) == (False, None, False, False)


def test_every_command_is_registered() -> None:
    parser = build_parser()
    for argv in (["login"], ["profiles"], ["logout", "x"], ["token"], ["ls", "imports"], ["tree"],
                 ["get", "flows"], ["put", "flows/x", "-"], ["errors", "f", "s"],
                 ["retry", "f", "s", "--all"], ["resolve", "f", "s", "e1"], ["run", "f"], ["jobs", "f"],
                 ["simulator", "--port", "0"]):
        assert parser.parse_args(argv).command == argv[0]


@pytest.mark.parametrize("argv", [
    ["login", "--token", SECRET],
    ["login", f"--token={SECRET}"],
    ["ls", "flows", "--api-token", SECRET],
])
def test_a_token_option_is_refused_without_echoing_the_value(
        argv: list[str], capsys: Cap) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "is not accepted" in err and "--token-stdin" in err


def test_no_abbreviations_so_token_is_not_taken_for_token_stdin(capsys: Cap) -> None:
    assert main(["login", "--token-std"]) == 2
    assert "unrecognized arguments: --token-std" in capsys.readouterr().err


def test_help_and_version_exit_zero(capsys: Cap) -> None:
    assert main(["--help"]) == 0
    assert "exit codes: 0 ok, 1 API error, 2 usage, 3 authentication" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("iox ")
    assert main(["put", "--help"]) == 0
    assert "--dry-run" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["nosuchcommand"],
    ["ls", "widgets"],
    ["ls", "flows", "--bogus"],
    ["errors", "onlyflow"],
    ["jobs", "f", "--limit", "many"],
])
def test_bad_arguments_are_usage_errors(argv: list[str], capsys: Cap) -> None:
    assert main(["--demo", *argv]) == 2
    assert "usage:" in capsys.readouterr().err


def test_demo_excludes_profile_and_base_url(capsys: Cap) -> None:
    assert main(["--demo", "--profile", "prod", "token"]) == 2
    assert "--demo uses the built-in simulated account" in capsys.readouterr().err
    assert main(["--demo", "--base-url", "http://127.0.0.1:1", "token"]) == 2


def test_error_ids_may_follow_options(capsys: Cap) -> None:
    from explorer.simulator import demo_ids as d

    code = main(["--demo", "--json", "resolve", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, "nope1",
                 "--since", "7d", "nope2"])
    # --since only applies with --all: the ids after the option were still read as ids (usage error, not
    # "unrecognized arguments").
    assert code == 2
    assert "only apply with --all" in capsys.readouterr().err


def test_plain_http_to_a_remote_host_is_a_usage_error(
        monkeypatch: MP, capsys: Cap) -> None:
    monkeypatch.setenv("IOX_TOKEN", SECRET)
    assert main(["--base-url", "http://example.com", "token"]) == 2
    out, err = capsys.readouterr()
    assert "refusing plain http://" in err and SECRET not in out + err


def test_no_account_at_all_is_an_authentication_error(capsys: Cap) -> None:
    assert main(["ls", "flows"]) == 3
    err = capsys.readouterr().err
    assert "no profile is configured" in err and "iox login" in err and "iox --demo" in err


def test_json_mode_prints_an_error_document_on_failure(capsys: Cap) -> None:
    import json

    assert main(["--json", "ls", "flows"]) == 3
    out, err = capsys.readouterr()
    assert json.loads(out)["error"]["exit_code"] == 3
    assert err.startswith("iox: error:")
