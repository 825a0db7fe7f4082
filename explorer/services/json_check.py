"""Editor text checked as a JSON document to PUT: strict JSON (no NaN/Infinity), an object; line and column.

Why its own module: the editor's status line checks on every pause in typing, and ``iox put`` and the
retry-data editor refuse the same texts with the same words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JsonProblem:
    """Why a text is not a JSON document we can PUT, and where (1-based line and column)."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class InvalidJson(ValueError):
    """The text cannot be submitted; ``problem`` says why and where."""

    def __init__(self, problem: JsonProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))


_NON_STANDARD = re.compile(r"-?Infinity|NaN")


class _NonStandardConstant(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonStandardConstant(name)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_document(text: str, *, require_object: bool = True) -> Any:
    """Parse editor text as strict JSON (no NaN/Infinity); raise InvalidJson with line and column."""
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidJson(JsonProblem(exc.msg, exc.lineno, exc.colno)) from None
    except _NonStandardConstant as exc:
        match = _NON_STANDARD.search(text)
        line, column = _position(text, match.start()) if match else (1, 1)
        raise InvalidJson(JsonProblem(f"{exc} is not valid JSON", line, column)) from None
    except RecursionError:
        raise InvalidJson(JsonProblem("the document is nested too deeply", 1, 1)) from None
    if require_object and not isinstance(doc, dict):
        first = len(text) - len(text.lstrip())
        line, column = _position(text, first)
        message = f"the document must be a JSON object, not {_json_type(doc)}"
        raise InvalidJson(JsonProblem(message, line, column))
    return doc


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def check_json(text: str) -> JsonProblem | None:
    """The problem with ``text`` as a document to PUT, or None when it is fine (the status line uses this)."""
    try:
        parse_document(text)
    except InvalidJson as exc:
        return exc.problem
    return None
