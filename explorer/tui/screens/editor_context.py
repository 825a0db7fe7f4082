"""What every write screen needs from the app, in one value: the client, the profile, drafts, journal, policy.

Why one object: the editor, the journal screen (and the errors engineer's retry-data editor) all need the same
handful of things, and the app builds them once. Passing this value keeps the screens standalone — no
reaching into the app — while the constructor calls stay short.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from explorer.journal import DraftStore, Journal
from explorer.services.schemas import SchemaLibrary
from explorer.services.write_targets import JsonDocumentApi
from explorer.services.writes import Clock, Saved
from explorer.tui.screens.editor_external import ExternalEditor

SavedCallback = Callable[[Saved], None]


@dataclass(frozen=True)
class WriteContext:
    """The client (anything with GET/PUT of JSON), the profile name (drafts and journal are per profile), the
    stores, whether the session is read-only, and ``on_saved`` (the app refreshes its tree and JSON pane).

    ``external_editor``, ``clock`` and ``secrets`` (strings the journal must mask, e.g. the API token) have
    defaults for the app; tests replace them. ``account`` is the token's ``_userId`` (None until tokenInfo
    answered): the journal records it with every write, and undo refuses another account's writes.
    """

    api: JsonDocumentApi
    profile: str
    drafts: DraftStore
    journal: Journal
    read_only: bool = False
    on_saved: SavedCallback | None = None
    external_editor: ExternalEditor = field(default_factory=ExternalEditor)
    clock: Clock | None = None
    secrets: tuple[str, ...] = ()
    account: str | None = None
    schemas: SchemaLibrary | None = None
    """Celigo's schemas (field docs, checks, completion); None switches them off (tests of other things)."""
