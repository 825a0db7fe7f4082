"""Shared set-up of the CLI tests (no tests here): keep the developer's own config, state and token out."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from explorer.cli import main
from explorer.simulator import DEMO_TOKENS, SimulatorTransport


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra_unset: str) -> None:
    """Private config and state folders, no ``IOX_*`` variables, and an empty, non-terminal stdin."""
    for name in ("IOX_TOKEN", "IOX_CONFIG", *extra_unset):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


Cap = pytest.CaptureFixture[str]
CSI_OR_OSC = ("\x1b[", "\x1b]", "\x9b", "\x07")


def run(capsys: Cap, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", *argv])
    out, err = capsys.readouterr()
    for secret in DEMO_TOKENS.values():
        assert secret not in out + err
    return code, out, err


def run_json(capsys: Cap, *argv: str) -> tuple[int, Any, str]:
    code, out, err = run(capsys, "--json", *argv)
    return code, json.loads(out), err


class ScriptedPrompter:
    """Answers questions as a person at a terminal would."""

    def __init__(self, token: str, answer: str = "y") -> None:
        self.token = token
        self.answer = answer
        self.asked: list[str] = []

    @property
    def interactive(self) -> bool:
        return True

    def ask(self, question: str) -> str:
        self.asked.append(question)
        return self.answer

    def secret(self, question: str) -> str:
        self.asked.append(question)
        return self.token


def iox(capsys: Cap, transport: SimulatorTransport, *argv: str, stdin: str = "",
        prompter: ScriptedPrompter | None = None) -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    code = main(list(argv), transport=transport, prompter=prompter)
    out, err = capsys.readouterr()
    for secret in DEMO_TOKENS.values():
        assert secret not in out + err, "a token was printed"
    return code, out, err
