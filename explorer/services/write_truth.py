"""Writes that tell the truth: what the server kept of a PUT, and whose server and account a write went to.

Why: a 200 on a PUT does not mean the document now reads as sent. An Integration App keeps its locked fields
(Celigo's web app disables all but a few fields of a resource with ``_connectorId``; what the API does with a
change to one is undocumented), and the server may normalise values. So after every PUT the caller compares
the server's answer (or a GET after it) with the body it sent, and reports each JSON path that did not take.

The journal records the server (base URL) and the account (``_userId``) of every write, and an undo is refused
when the current session talks to another server or account: restoring a document into the wrong tenant is
exactly the mistake undo must never make.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from explorer.journal import JournalEntry
from explorer.model.paths import path_label
from explorer.services.diff import MISSING, Change, changes, short_json


@dataclass(frozen=True)
class NotTaken:
    """One JSON path whose value the server did not keep as sent."""

    path: str
    sent: Any
    stored: Any

    @property
    def reason(self) -> str:
        """``kept …`` (the server kept its value), ``dropped`` (gone), or ``added …`` (not sent, present)."""
        if self.stored is MISSING:
            return "dropped by the server"
        if self.sent is MISSING:
            return f"kept by the server though not sent ({short_json(self.stored)})"
        return f"sent {short_json(self.sent)}, the server has {short_json(self.stored)}"

    def line(self) -> str:
        """``path: reason`` for warning blocks and notices."""
        return f"{self.path}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        """``{"path", "sent"?, "stored"?}`` for ``--json`` output (absent sides left out)."""
        data: dict[str, Any] = {"path": self.path}
        if self.sent is not MISSING:
            data["sent"] = self.sent
        if self.stored is not MISSING:
            data["stored"] = self.stored
        return data


def not_taken(sent: Any, stored: Any, server_owned: Sequence[str] = ()) -> list[NotTaken]:
    """Every JSON path where the server's document differs from the body that was PUT.

    Top-level ``server_owned`` fields (``_id``, ``lastModified``…) are the server's to set and are skipped.
    Arrays whose length changed count as one path (indexes mean nothing after a shift).
    """
    return [_from_change(change) for change in changes(sent, stored, ignore_top=server_owned)]


def _from_change(change: Change) -> NotTaken:
    return NotTaken(path_label(change.path), change.before, change.after)


def warning_block(paths: Sequence[NotTaken], label: str) -> list[str]:
    """The lines the CLI prints on stderr (and the TUI notice shows) when fields did not take."""
    if not paths:
        return []
    head = (f"warning: the server accepted the PUT of {label} but did not take {len(paths)} field(s) as sent "
            "(locked by an integration app, or normalised by the server):")
    return [head, *(f"  - {item.line()}" for item in paths)]


def not_taken_notice(paths: Sequence[NotTaken]) -> str:
    """Three short lines for a toast (toasts are clipped): which paths, why, and where the details are."""
    names = ", ".join(item.path for item in paths[:6])
    if len(paths) > 6:
        names += f" and {len(paths) - 6} more"
    return (f"{len(paths)} field(s) did not take: {names}\n"
            "kept locked by an integration app, or normalised by the server\n"
            "w: the journal entry lists them; the JSON pane shows what the server holds")


def undo_refusal(entry: JournalEntry, server: str, account: str | None) -> str | None:
    """Why this session may not undo ``entry`` (None: it may): it was written to another server or account.

    Entries written before server and account were recorded carry neither; those are judged by profile only,
    as before.
    """
    if entry.server is not None and entry.server != server:
        return (f"this write went to {entry.server}, but this session talks to {server}: undo it from a "
                "session on that server")
    if entry.account is not None and account is not None and entry.account != account:
        return (f"this write was made by account {entry.account}, but this session's token belongs to "
                f"account {account}: undo it with a token of that account")
    return None
