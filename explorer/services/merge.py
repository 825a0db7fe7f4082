"""Three-way merge of JSON documents by key path: re-apply a user's edit onto a newer server version.

Why: when someone else saved the resource while the user was editing (the stale-write guard caught it),
throwing the edit away loses work and overwriting loses theirs. Objects are merged key by key; arrays of the
same length on all three sides are merged item by item; anything else is a leaf. Where both sides changed
the same leaf differently, the server's value is kept and the spot is reported as a :class:`Conflict`, so
the user sees it and decides in the editor. Server-owned top-level fields always come from the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.model.documents import SERVER_OWNED
from explorer.model.paths import PathPart, path_label
from explorer.services.diff import MISSING


@dataclass(frozen=True)
class Conflict:
    """A key path both sides changed differently; ``server`` was kept, ``mine`` is what the user had."""

    path: tuple[PathPart, ...]
    base: Any
    mine: Any
    server: Any

    @property
    def label(self) -> str:
        """The path as users read it (``(document)`` for the root)."""
        return path_label(self.path)


@dataclass(frozen=True)
class MergeResult:
    """The merged document, and every conflict (empty when the user's edit applied cleanly)."""

    document: Any
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when every change of the user's applied without touching a server change."""
        return not self.conflicts


def three_way_merge(
    base: Any, mine: Any, server: Any, *, server_owned: Sequence[str] = SERVER_OWNED
) -> MergeResult:
    """Apply the changes ``base → mine`` onto ``server`` where they do not collide with ``base → server``."""
    conflicts: list[Conflict] = []
    merged = _merge(base, mine, server, (), conflicts)
    if isinstance(merged, dict) and isinstance(server, Mapping):
        for key in server_owned:
            merged.pop(key, None)
            if key in server:
                merged[key] = server[key]
    return MergeResult(merged, conflicts)


def _merge(base: Any, mine: Any, server: Any, path: tuple[PathPart, ...], conflicts: list[Conflict]) -> Any:
    if mine == base:
        return server
    if server == base or mine == server:
        return mine
    if isinstance(base, Mapping) and isinstance(mine, Mapping) and isinstance(server, Mapping):
        merged: dict[str, Any] = {}
        # Server order first (it is the newest), then keys only the user added, in the user's order.
        for key in dict.fromkeys([*server, *mine, *base]):
            old, new, theirs = base.get(key, MISSING), mine.get(key, MISSING), server.get(key, MISSING)
            value = _merge(old, new, theirs, (*path, key), conflicts)
            if value is not MISSING:
                merged[key] = value
        return merged
    if (
        isinstance(base, list)
        and isinstance(mine, list)
        and isinstance(server, list)
        and len(base) == len(mine) == len(server)
    ):
        return [
            _merge(old, new, theirs, (*path, index), conflicts)
            for index, (old, new, theirs) in enumerate(zip(base, mine, server, strict=True))
        ]
    conflicts.append(Conflict(path, base, mine, server))
    return server
