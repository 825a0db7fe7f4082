"""What the running explorer knows, shared by every screen: client, account service, profile, token, log.

Why a context object: screens of different issues (browse, edit, errors) need the same few things — the
client, whether the session is read-only, the token's scope, the drafts store and the journal — without
reaching into the app class or a global. ``ExplorerHost`` is the Protocol they type ``self.app`` against.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from explorer.client import IntegratorClient, RequestRecord, region_of_base
from explorer.config import state_dir
from explorer.model import TokenInfo
from explorer.services.account import AccountService
from explorer.services.schemas import SchemaLibrary

if TYPE_CHECKING:  # imported with the first draft or journal read: not on the way to the first frame
    from explorer.journal import DraftStore, Journal

RequestListener = Callable[[RequestRecord], None]

class RequestLog:
    """Every request the client reported, oldest first, bounded; the HTTP log screen subscribes to it.

    The client calls ``add`` from inside the app's event loop (its ``on_request`` hook), so listeners run on
    the UI thread and may touch widgets.
    """

    def __init__(self, limit: int = 5000) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=limit)
        self._listeners: list[RequestListener] = []
        self.total = 0
        """Requests seen since start (including ones dropped from the bounded buffer)."""

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(list(self._records))

    def add(self, record: RequestRecord) -> None:
        """Keep a record and tell the listeners."""
        self._records.append(record)
        self.total += 1
        for listener in list(self._listeners):
            listener(record)

    def subscribe(self, listener: RequestListener) -> Callable[[], None]:
        """Call ``listener`` for every new record; returns the function that stops it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def clear(self) -> None:
        """Forget the records kept so far (the counter keeps counting)."""
        self._records.clear()


@dataclass
class AppContext:
    """Session facts the screens read; ``token`` is filled once ``tokenInfo`` answered.

    ``show_timings`` is False in snapshot tests and screenshots, where durations would differ run to run.
    ``drafts`` and ``journal`` live under ``$XDG_STATE_HOME/integrator-explorer`` (read at session start).
    """

    profile_label: str
    read_only: bool
    base_url: str = ""
    profile_name: str = ""
    """The profile's own name (``profile_label`` adds the server, which the header shows on its own)."""
    show_timings: bool = True
    token: TokenInfo | None = None
    requests: RequestLog = field(default_factory=RequestLog)
    state_root: Path = field(default_factory=state_dir)
    """Where ``drafts`` and ``journal`` live: ``$XDG_STATE_HOME/integrator-explorer``, read at start."""
    schemas: SchemaLibrary = field(default_factory=SchemaLibrary)
    """Celigo's schemas in ``$XDG_CACHE_HOME`` (nothing is read until the editor or JSON pane asks)."""
    _drafts: DraftStore | None = field(default=None, init=False, repr=False, compare=False)
    _journal: Journal | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def drafts(self) -> DraftStore:
        """The drafts store (``DraftStore.default``'s place), built when first used.

        Why not at session start: ``explorer.journal`` (its module, its dataclasses) was imported on the way
        to ``iox --demo``'s first frame, which never needs it.
        """
        if self._drafts is None:
            from explorer.journal import DraftStore

            self._drafts = DraftStore(self.state_root / "drafts")
        return self._drafts

    @property
    def journal(self) -> Journal:
        """The journal of writes (``Journal.default``'s place), built when first used (see ``drafts``)."""
        if self._journal is None:
            from explorer.journal import Journal

            self._journal = Journal(self.state_root / "journal.jsonl")
        return self._journal

    @property
    def region_label(self) -> str:
        """``NA``, ``EU``, ``AU`` or ``CA`` for the public hosts, otherwise the base URL itself (a simulator,
        a proxy)."""
        region = region_of_base(self.base_url)
        if region is not None:
            return region.upper()
        return self.base_url.removesuffix("/v1/").removesuffix("/") or "no server"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the API, for copy-as-curl."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


class ExplorerHost(Protocol):
    """What screens may use of the app (type ``self.app`` as this through ``cast``)."""

    @property
    def context(self) -> AppContext:
        """The session facts."""
        ...

    @property
    def client(self) -> IntegratorClient:
        """The API client (built on mount)."""
        ...

    @property
    def account(self) -> AccountService:
        """The account loader shared by the tree, the palette and the token panel."""
        ...
