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

Grouping 100,000 errors takes well under 0.5 s (``bench/fix.py``): each distinct message is masked once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

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


@lru_cache(maxsize=262_144)
def template_of(message: str) -> str:
    """The message with its variable parts masked (see the module docstring); the same text every time."""
    masked = _mask(message)
    if MASK not in masked:
        return masked
    masked = _DESCRIBED.sub(MASK, masked)
    return _NEIGHBOURS.sub(MASK, masked)


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


@dataclass
class _Tally:
    count: int = 0
    retryable: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sample: str = ""

    def __post_init__(self) -> None:
        self.codes: Counter[str] = Counter()
        self.classifications: Counter[str] = Counter()


def _ranked(counts: Counter[str]) -> tuple[str, ...]:
    return tuple(value for value, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def group_by_template(rows: Iterable[ErrorRecord],
                      retryable: Callable[[ErrorRecord], bool] | None = None) -> list[TemplateGroup]:
    """Template groups of ``rows``, biggest first (then by template text)."""
    is_retryable = retryable or (lambda record: record.retriable)
    tallies: dict[str, _Tally] = {}
    by_message: dict[str, _Tally] = {}  # a message seen before costs one look-up
    of = template_of
    for record in rows:
        message = record.message
        tally = by_message.get(message)
        if tally is None:
            template = of(message)
            tally = tallies.get(template)
            if tally is None:
                tally = tallies[template] = _Tally()
            by_message[message] = tally
        tally.count += 1
        tally.codes[record.code or ""] += 1
        tally.classifications[record.classification or ""] += 1
        if is_retryable(record):
            tally.retryable += 1
        when = record.occurred_at
        if when is not None:
            if tally.first is None or when < tally.first:
                tally.first = when
            if tally.last is None or when > tally.last:
                tally.last = when
                tally.sample = message
        if not tally.sample:
            tally.sample = message
    ordered = sorted(tallies.items(), key=lambda item: (-item[1].count, item[0]))
    return [TemplateGroup(template, tally.count, _ranked(tally.codes), _ranked(tally.classifications),
                          tally.first, tally.last, tally.retryable, tally.sample)
            for template, tally in ordered]


def matches_template(record: ErrorRecord, template: str) -> bool:
    """Whether an error's message has this template (exactly; a template is its own identity)."""
    return template_of(record.message) == template
