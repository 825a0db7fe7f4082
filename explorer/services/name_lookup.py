"""Which flow or step a person meant when they typed a name instead of an id.

Why: ids are 24 hex digits nobody remembers; names are what people see in the web UI and in ``iox tree``.
The rule is strict so a typo can never act on the wrong flow: an id is taken as it is; otherwise an exact
name, else a unique case-insensitive prefix of a name. Several matches are listed with their ids and nothing
is done. Pure functions here; fetching the candidates is the caller's (``commands/names.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ID_PATTERN = re.compile(r"[0-9a-fA-F]{24}")
"""What an integrator.io id looks like (a Mongo ObjectId): such text is never looked up as a name."""


def looks_like_id(text: str) -> bool:
    """True for 24 hex digits: used as an id at once, without listing anything."""
    return ID_PATTERN.fullmatch(text) is not None


@dataclass(frozen=True)
class Named:
    """One candidate: its id and its name (empty when it has none)."""

    id: str
    name: str


class NameNotFound(LookupError):
    """No candidate has that name (or a name starting with it)."""


class NameAmbiguous(LookupError):
    """Several candidates match; ``matches`` lists them so the message can show their ids."""

    def __init__(self, message: str, matches: Sequence[Named]) -> None:
        super().__init__(message)
        self.matches = list(matches)


def pick(text: str, candidates: Sequence[Named], what: str) -> Named:
    """The one candidate ``text`` names: its id, its exact name, or a unique case-insensitive name prefix."""
    by_id = [c for c in candidates if c.id == text]
    if by_id:
        return by_id[0]
    exact = [c for c in candidates if c.name == text]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise _ambiguous(text, exact, what, "are named")
    folded = text.casefold()
    prefixed = [c for c in candidates if c.name.casefold().startswith(folded)] if folded else []
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise _ambiguous(text, prefixed, what, "have names starting with")
    raise NameNotFound(f"no {what} is named {text!r} (nor has a name starting with it); "
                       f"`iox tree --ids` lists names and ids")


def _ambiguous(text: str, matches: Sequence[Named], what: str, verb: str) -> NameAmbiguous:
    listed = "\n".join(f"  {c.id}  {c.name}" for c in sorted(matches, key=lambda c: (c.name, c.id)))
    return NameAmbiguous(f"{len(matches)} {what}s {verb} {text!r}; say which by id:\n{listed}", matches)
