"""Cron schedules in words (``every 15 minutes``, ``daily at 02:00 (America/Los_Angeles)``), for the tree's
flow labels and ``iox tree``.

Why our own reader: integrator.io stores Quartz-style expressions with a leading seconds field written ``?``
and ``?`` for "any" (``? 0/15 * * * *``, ``? 0 2 ? * *``). cron-descriptor 2.2.1 was measured on these forms
and does not read them (``At ? seconds past the minute, every 15 minutes``; a FormatError on ``? 0 2 ? * *``),
so a dependency would not have spared the work.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NUMBER = re.compile(r"\d{1,2}")


def _plural(n: int, word: str) -> str:
    return f"every {word}" if n == 1 else f"every {n} {word}s"


def _values(field_text: str, low: int, high: int) -> list[int] | None:
    """The values of a comma list of numbers, ``a-b`` ranges and steps (``a/n``, ``a-b/n``, ``*/n``, Quartz's
    ``0/15``); None for anything fancier (``L``, ``W``, ``#``)."""
    out: list[int] = []
    for part in field_text.split(","):
        span, slash, step_text = part.partition("/")
        step = int(step_text) if slash and _NUMBER.fullmatch(step_text) else None
        if slash and not step:
            return None
        if span == "*" and step:
            first, last = low, high
        else:
            bounds = span.split("-")
            if len(bounds) > 2 or not all(_NUMBER.fullmatch(b) for b in bounds):
                return None
            first, last = int(bounds[0]), int(bounds[-1])
            if step and len(bounds) == 1:
                last = high  # Quartz "0/15": from 0, every 15
        if not low <= first <= last <= high:
            return None
        out.extend(range(first, last + 1, step or 1))
    return sorted(set(out))


def _step_of(values: list[int], span: int) -> int | None:
    """N when values are 0, N, 2N, ... covering the whole span evenly (Celigo spells "*/2" as a list)."""
    if len(values) < 2 or values[0] != 0:
        return None
    step = values[1] - values[0]
    return step if values == list(range(0, span, step)) else None


def schedule_in_words(cron: str | None, timezone: str | None = None) -> str:
    """A Celigo 6-field cron (``"? 0 */2 * * *"``; 5 fields also accepted) in words.

    ``"manual"`` when there is no schedule; an expression it cannot read comes back as ``"cron: <expr>"``
    rather than an error, because schedules are shown, never executed, here. A schedule that names a time
    of day says in which ``timezone`` (the flow's) it is read: ``daily at 02:00 (America/Los_Angeles)``.
    """
    words = _in_words(cron)
    if timezone and _CLOCK.search(words) and not words.startswith("cron: "):
        return f"{words} ({timezone})"
    return words


_CLOCK = re.compile(r"\b\d\d:\d\d\b")
"""A time of day in the words (``02:00``): only then does the timezone change what the schedule means."""


def _in_words(cron: str | None) -> str:
    if cron is None or not str(cron).strip():
        return "manual"
    text = str(cron).strip()
    fields = text.split()
    if len(fields) == 6:
        fields = fields[1:]
    if len(fields) != 5:
        return f"cron: {text}"
    minute, hour, dom, month, dow = ("*" if f == "?" else f.upper() for f in fields)
    for index, name in enumerate(_DAYS):
        dow = dow.replace(name.upper(), str(index))
    for index, name in enumerate(_MONTHS, start=1):
        month = month.replace(name.upper(), str(index))
    base = _time_words(minute, hour)
    days = _values(dow, 0, 7) if dow != "*" else []
    doms = _values(dom, 1, 31) if dom != "*" else []
    months = _values(month, 1, 12) if month != "*" else []
    if base is None or days is None or doms is None or months is None:
        return f"cron: {text}"
    words = [base.replace("daily at", "at", 1) if days or doms else base]
    if days:
        words.append("on " + _runs(sorted({d % 7 for d in days}), _DAYS))
    if doms:
        words.append("on day " + _runs(doms, [str(n) for n in range(32)]) + " of the month")
    if months:
        words.append("in " + _runs([m - 1 for m in months], _MONTHS))
    return " ".join(words)


def _runs(values: list[int], names: Sequence[str]) -> str:
    """``[1, 2, 3, 5]`` as ``"Mon–Wed, Fri"``: runs of three or more collapse into a range."""
    groups: list[list[int]] = []
    for value in values:
        if groups and value == groups[-1][-1] + 1:
            groups[-1].append(value)
        else:
            groups.append([value])
    parts = []
    for group in groups:
        if len(group) >= 3:
            parts.append(f"{names[group[0]]}–{names[group[-1]]}")
        else:
            parts.extend(names[v] for v in group)
    return ", ".join(parts)


def _time_words(minute: str, hour: str) -> str | None:
    if minute == "*" and hour == "*":
        return "every minute"
    if minute.startswith("*/") and hour == "*":
        every = _values(minute[2:], 1, 59)
        return _plural(every[0], "minute") if every and len(every) == 1 else None
    minutes = _values(minute, 0, 59)
    if minutes is None:
        return None
    minute_step = _step_of(minutes, 60)
    if hour == "*":
        if minute_step:
            return _plural(minute_step, "minute")
        if minutes == [0]:
            return "every hour"
        return "hourly at " + ", ".join(f":{m:02d}" for m in minutes)
    hours = _values(hour[2:], 1, 23) if hour.startswith("*/") else None
    hour_step = hours[0] if hours and len(hours) == 1 else None
    if hour_step is None:
        listed = _values(hour, 0, 23)
        if listed is None:
            return None
        hour_step = _step_of(listed, 24)
        if hour_step is None:
            return _hours_words(listed, minutes)
    at = "" if minutes == [0] else " at " + ", ".join(f":{m:02d}" for m in minutes)
    return _plural(hour_step, "hour") + at


def _hours_words(hours: list[int], minutes: list[int]) -> str:
    """Listed hours that are not an even split of the day: a range or a stepped range in words when long."""
    gaps = {b - a for a, b in itertools.pairwise(hours)}
    first, last = hours[0], hours[-1]
    if len(hours) > 3 and len(gaps) == 1:
        gap = gaps.pop()
        if len(minutes) == 1:
            every = "hourly" if gap == 1 else f"every {gap} hours"
            return f"{every} from {first:02d}:{minutes[0]:02d} to {last:02d}:{minutes[0]:02d}"
        past = ", ".join(f":{m:02d}" for m in minutes)
        each = "each hour" if gap == 1 else f"every {gap} hours"
        return f"at {past} {each} from {first:02d}:00 to {last:02d}:59"
    return "daily at " + ", ".join(f"{h:02d}:{m:02d}" for h in hours for m in minutes)
