"""Error messages → message templates: the variable parts masked, so 2,000 failures read as one line.

Why a pure function of the message (no clustering that depends on which errors are loaded): the template
a user sees in the TUI, prints with ``iox errors --group template`` and passes back to ``iox fix --template``
must be the same string whatever the date filter or page count, and matching a row must be one dict look-up.

What is masked (each becomes ``<*>``), in this order:

* quoted values, unless the quoted text is a plain identifier (``'status'``, ``"email"`` name a field and are
  kept: they tell two failures apart);
* every word holding a digit or an ``@`` (numbers, ids, dates, e-mails, ``#1012``, ``114-8547132-6001104``,
  ``12in``), its surrounding punctuation kept;
* record keys written in capitals with dashes (``ACM-CB-SL``, ``CA-STATE``);
* a short parenthesised name right after a masked value (``item <*> (Cast Iron Skillet 12in)``; a remark
  such as ``(not allowed)`` starts in lower case and is kept);

then neighbouring masks (``<*> <*>``, ``<*>, <*>``) fold into one. Server text is kept as received (markup and
escapes included): showing it safely is the screen's job.

Grouping 100,000 errors takes well under 0.5 s (``bench/fix.py``): messages are tallied by their
:func:`skeleton` (digits as ``0``), and each distinct skeleton is masked once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from explorer.model import ErrorRecord

MASK = "<*>"
"""What a variable part of a message becomes."""

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_.]*"
# Each pattern starts with a literal quote, so the engine jumps from quote to quote (a pattern that can start
# anywhere made masking 6x slower, measured).
_QUOTED = re.compile(
    rf"'(?<!['\w]')(?!{_IDENTIFIER}'(?!\w))[^'\n]*'(?!\w)"
    rf'|"(?<!["\w]")(?!{_IDENTIFIER}"(?!\w))[^"\n]*"(?!\w)'
)
_NEEDS_MASK = re.compile(r"[\d@]|^\W*[A-Z][A-Z0-9]*-[A-Z0-9]")
"""A word to mask: it holds a digit or an ``@``, or is a record key in capitals with dashes."""
_OPENING = "([{<'\""
_CLOSING = ".,;:!?)]}>'\""
_DESCRIBED = re.compile(r"<\*>\s*\((?=[A-Z][^;\n]{0,39}\))(?:[^();\n]|\([^();\n]*\))*\)")
_NEIGHBOURS = re.compile(r"<\*>(?:[\s,]*<\*>)+")


def _mask_word(word: str) -> str:
    """A word with its core masked and its surrounding punctuation kept (``(5),`` → ``(<*>),``)."""
    core = word.lstrip(_OPENING)
    lead = word[: len(word) - len(core)]
    inner = core.rstrip(_CLOSING)
    return f"{lead}{MASK}{core[len(inner):]}" if inner else word


def _mask(message: str) -> str:
    if "'" in message or '"' in message:
        message = _QUOTED.sub(MASK, message)
    # Word by word: a plain word is skipped by ``isalpha`` in C. One regex over the whole message that
    # tries every rule at every character was 3-6x slower (measured on 44,000 distinct messages).
    words = message.split(" ")
    needs = _NEEDS_MASK.search
    changed = False
    for index, word in enumerate(words):
        if word.isalpha() or word == MASK or needs(word) is None:
            continue
        words[index] = _mask_word(word)
        changed = True
    return " ".join(words) if changed else message


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
# bytes.translate: 17x faster than str.translate with a table (measured on 100,000 messages), and this runs
# once per error row. "surrogatepass": a message from JSON may hold a lone surrogate.
_ENCODING, _ERRORS = "utf-8", "surrogatepass"


def _skeleton_key(message: str) -> bytes:
    return message.encode(_ENCODING, _ERRORS).translate(_DIGITS_AS_ZERO)


def skeleton(message: str) -> str:
    """The message with every ASCII digit written as ``0``: it has the same template (every word holding a
    digit is masked, and no rule tells one digit from another), so ``REC-099999`` and ``REC-012345`` share
    one cache entry — far cheaper than masking each distinct message."""
    return _skeleton_key(message).decode(_ENCODING, _ERRORS)


@lru_cache(maxsize=262_144)
def _template_of_skeleton(text: str) -> str:
    masked = _mask(text)
    if MASK not in masked:
        return masked
    masked = _DESCRIBED.sub(MASK, masked)
    return _NEIGHBOURS.sub(MASK, masked)


def template_of(message: str) -> str:
    """The message with its variable parts masked (see the module docstring); the same text every time."""
    return _template_of_skeleton(skeleton(message))


@dataclass(frozen=True)
class TemplateGroup:
    """One line of the template grouping: how many errors, which codes and classifications, when."""

    template: str
    count: int
    codes: tuple[str, ...]
    """Codes, most frequent first (``""`` for errors without one)."""
    classifications: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    retryable: int
    sample: str
    """One message of the group, unmasked (the newest seen)."""

    def as_json(self) -> dict[str, object]:
        """The ``--json`` form: ``{"template", "count", "codes", "classifications", "first", "last"}``."""
        return {
            "template": self.template, "count": self.count, "codes": list(self.codes),
            "classifications": list(self.classifications),
            "first": _iso(self.first), "last": _iso(self.last),
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ranked(counts: dict[str, int]) -> tuple[str, ...]:
    return tuple(value for value, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


class _Tally:
    """Counts of one template while grouping."""

    __slots__ = ("classifications", "codes", "count", "first", "last", "retryable", "sample")

    def __init__(self) -> None:
        self.count = 0
        self.retryable = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.sample = ""
        self.codes: dict[str, int] = {}
        self.classifications: dict[str, int] = {}


def group_by_template(rows: Iterable[ErrorRecord],
                      retryable: Callable[[ErrorRecord], bool] | None = None) -> list[TemplateGroup]:
    """Template groups of ``rows``, biggest first (then by template text).

    The per-row loop only tallies by (skeleton, code, classification); templates are computed once per
    skeleton afterwards, so 100,000 rows cost one ``translate`` and one dict look-up each.
    """
    is_retryable = retryable or (lambda record: record.retriable)
    # [count, retryable, first, last, newest message]
    stats: dict[tuple[bytes, str | None, str | None], list[Any]] = {}
    for record in rows:
        key = (_skeleton_key(record.message), record.code, record.classification)
        entry = stats.get(key)
        when = record.occurred_at
        if entry is None:
            stats[key] = [1, 1 if is_retryable(record) else 0, when, when, record.message]
            continue
        entry[0] += 1
        if is_retryable(record):
            entry[1] += 1
        if when is not None:
            if entry[2] is None or when < entry[2]:
                entry[2] = when
            if entry[3] is None or when > entry[3]:
                entry[3] = when
                entry[4] = record.message
    tallies: dict[str, _Tally] = {}
    for (text, code, classification), (count, ready, first, last, sample) in stats.items():
        template = _template_of_skeleton(text.decode(_ENCODING, _ERRORS))
        tally = tallies.get(template)
        if tally is None:
            tally = tallies[template] = _Tally()
        tally.count += count
        tally.retryable += ready
        code, classification = code or "", classification or ""
        tally.codes[code] = tally.codes.get(code, 0) + count
        tally.classifications[classification] = tally.classifications.get(classification, 0) + count
        if first is not None and (tally.first is None or first < tally.first):
            tally.first = first
        if last is not None and (tally.last is None or last > tally.last):
            tally.last, tally.sample = last, sample
        if not tally.sample:
            tally.sample = sample
    ordered = sorted(tallies.items(), key=lambda item: (-item[1].count, item[0]))
    return [TemplateGroup(template, tally.count, _ranked(tally.codes), _ranked(tally.classifications),
                          tally.first, tally.last, tally.retryable, tally.sample)
            for template, tally in ordered]
