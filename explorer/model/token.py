"""What a token may touch, from ``GET /v1/tokenInfo``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from explorer.model.values import (
    _ids,
    _str,
)

ScopeKind = Literal["full", "custom", "unknown"]


_SCOPE_LISTS: tuple[tuple[str, str, str], ...] = (
    ("connection", "_connectionIds", "connections"),
    ("export", "_exportIds", "exports"),
    ("import", "_importIds", "imports"),
    ("api", "_apiIds", "APIs"),
)


@dataclass(frozen=True)
class TokenInfo:
    """Who the token belongs to and what it may reach, derived from ``GET /v1/tokenInfo``.

    The custom-token body is undocumented, so ``scope`` is read from whatever is present: ``"*"`` (or
    ``fullAccess: true``) is full access; any of the id lists (top level or inside a ``scope`` object) or a
    non-``*`` scope string is custom; anything else is "unknown", never an error. A list that is absent is
    ``None`` (not granted), which differs from an empty list only in ``raw``.
    """

    user_id: str
    scope: ScopeKind
    connection_ids: tuple[str, ...] | None = None
    export_ids: tuple[str, ...] | None = None
    import_ids: tuple[str, ...] | None = None
    api_ids: tuple[str, ...] | None = None
    email: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The user id (tokenInfo has no ``_id`` of its own)."""
        return self.user_id

    @classmethod
    def from_json(cls, raw: Any) -> Self:
        """Build from the tokenInfo body; never raises for an odd shape (it becomes scope "unknown")."""
        doc: dict[str, Any] = dict(raw) if isinstance(raw, Mapping) else {}
        scope_value = doc.get("scope")
        holder: Mapping[str, Any] = scope_value if isinstance(scope_value, Mapping) else doc
        lists = {
            name: _ids(holder[key]) if key in holder else (_ids(doc[key]) if key in doc else None)
            for name, key, _ in _SCOPE_LISTS
        }
        kind: ScopeKind
        if scope_value == "*" or doc.get("fullAccess") is True:
            kind = "full"
        elif any(v is not None for v in lists.values()) or (
            isinstance(scope_value, str | Mapping) and scope_value not in ("", "*")
        ):
            kind = "custom"
        else:
            kind = "unknown"
        return cls(
            user_id=_str(doc.get("_userId")) or "",
            scope=kind,
            connection_ids=lists["connection"],
            export_ids=lists["export"],
            import_ids=lists["import"],
            api_ids=lists["api"],
            email=_str(doc.get("email")),
            raw=doc,
        )

    def _list_for(self, kind: str) -> tuple[str, ...] | None:
        return {
            "connection": self.connection_ids,
            "export": self.export_ids,
            "import": self.import_ids,
            "api": self.api_ids,
        }[kind]

    def describe(self) -> str:
        """Short words for the status bar, e.g. ``"full access"`` or ``"custom: 1 connection, 3 exports"``."""
        if self.scope == "full":
            return "full access"
        if self.scope == "unknown":
            return "unknown scope"
        parts = []
        for kind, _key, label in _SCOPE_LISTS:
            count = len(self._list_for(kind) or ())
            if count:
                parts.append(f"{count} {label if count != 1 else label[:-1]}")
        return "custom: " + (", ".join(parts) if parts else "no resources")

    def may_access(self, kind: str, resource_id: str) -> bool | None:
        """True/False when the scope settles it, None when it cannot be known (then let a 403 decide).

        ``kind`` is connection/export/import/api (singular or plural); other kinds (flows, integrations) are
        reachable or not depending on their steps, so they answer None for custom tokens.
        """
        if self.scope == "full":
            return True
        singular = kind.lower().removesuffix("s")
        if self.scope == "unknown" or singular not in ("connection", "export", "import", "api"):
            return None
        ids = self._list_for(singular)
        return ids is not None and resource_id in ids
