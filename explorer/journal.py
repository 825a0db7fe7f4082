"""Drafts and the journal: nothing a user typed, and nothing this tool overwrote, is ever lost.

Two stores under the XDG state directory (see :func:`explorer.config.state_dir`):

* **Drafts** — ``drafts/<profile>/<kind>/<id>.json``, one file per resource being edited, rewritten
  atomically as the user types (the TUI debounces the calls). Each keeps the editor text (possibly invalid
  JSON) *and* the document the edit started from, so after a crash or ``kill -9`` the edit can be offered back
  and checked for staleness or three-way merged against the server's current version.
* **Journal** — ``journal.jsonl``, one JSON line per write this tool sends: time, profile, the server (base
  URL) and account (``_userId``) it went to, method, path, status, the whole document before and after, and
  the JSON paths of fields the server did not take. Keys this version does not know are kept (``extra``), so
  entries written by a newer version (or another kind of write) survive being read. "Undo my last PUT"
  restores ``before`` through the normal edit path. Documents are stored whole on purpose: they are the
  user's safety net, and a truncated one cannot be restored. The file therefore grows with every write (a
  2 MB document costs about 4 MB per PUT); the newest entries are read from the end of the file
  (:meth:`Journal.last_put` stops at the first match), so undo stays quick however long the file gets.

Both stores are private (directories 0700, files 0600) and hold documents and paths only — never the API
token; :func:`redact` scrubs a known secret from anything recorded, in case one was pasted into a document.
This module stands alone: stdlib plus the private-file helpers of :mod:`explorer.config`.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from explorer.config import ensure_private_dir, state_dir, write_private_file

DRAFT_FORMAT = 1
"""Version written into every draft file; a newer version's drafts are left alone, not treated as corrupt."""
SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
"""Profile names, kinds and ids become path components, so they are limited to these characters."""
MASK = "******"
"""What the server shows for a secret, and what :func:`redact` puts in place of one."""
MIN_SECRET_LENGTH = 8
"""Shorter "secrets" are not scrubbed: replacing every ``"a"`` in a document would destroy it."""

Clock = Callable[[], datetime]


class UnsafeName(ValueError):
    """A profile, kind or id that could escape the drafts directory (``..``, ``/``, NUL, ...)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def iso_time(moment: datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp with milliseconds and ``Z``, the format the integrator.io API uses."""
    moment = (moment or _utc_now()).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_name(value: str, what: str) -> str:
    """Return ``value`` if it is safe as one path component, else raise UnsafeName (without echoing NULs)."""
    if not isinstance(value, str) or not SAFE_NAME_RE.match(value) or value in (".", ".."):
        raise UnsafeName(f"{what} {value!r} is not usable as a file name (allowed: A-Z a-z 0-9 _ . -)")
    return value


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """Return a copy of a JSON value with every occurrence of each secret (in keys and strings) masked.

    The server already masks stored secrets as ``"******"``; those are left as they are. This only guards
    against a token the tool knows (the API token) ending up in a document the journal would keep.
    """
    usable = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    if not usable:
        return value

    def scrub(item: Any) -> Any:
        if isinstance(item, str):
            for secret in usable:
                item = item.replace(secret, MASK)
            return item
        if isinstance(item, Mapping):
            return {scrub(key): scrub(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [scrub(inner) for inner in item]
        return item

    return scrub(value)


def _shallow_dict(instance: Draft | JournalEntry) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies the documents, which made saving a 2 MB draft take 0.25 s.
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


# --- drafts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """An edit in progress: the editor text and the server document it started from.

    ``text`` is whatever is in the editor, valid JSON or not. ``base_document`` and ``base_last_modified``
    let the restorer see whether the server moved on since, and merge. ``saved_at`` is filled in by
    :meth:`DraftStore.save`.
    """

    profile: str
    kind: str
    id: str
    path: str
    base_last_modified: str | None
    base_document: Any
    text: str
    saved_at: str = ""

    def to_json(self) -> dict[str, Any]:
        """The on-disk form (with the format version)."""
        return {"v": DRAFT_FORMAT, **_shallow_dict(self)}

    @classmethod
    def from_json(cls, data: Any) -> Draft:
        """Rebuild a draft from its on-disk form; raise ValueError on anything malformed."""
        if not isinstance(data, dict) or "base_document" not in data:
            raise ValueError("not a draft object")
        strings = ("profile", "kind", "id", "path", "text", "saved_at")
        if not all(isinstance(data.get(key), str) for key in strings):
            raise ValueError("a draft field is missing or not a string")
        base_last_modified = data.get("base_last_modified")
        if base_last_modified is not None and not isinstance(base_last_modified, str):
            raise ValueError("base_last_modified is not a string")
        return cls(
            **{key: data[key] for key in strings},
            base_last_modified=base_last_modified,
            base_document=data["base_document"],
        )


class DraftStore:
    """Drafts on disk, one file per (profile, kind, id), written atomically so a crash never half-writes one.

    A new instance over the same ``root`` sees everything an earlier (crashed) one saved; there is no
    in-memory state besides ``quarantined``, the corrupt files moved aside so far (for the TUI to mention).
    """

    def __init__(self, root: Path, *, clock: Clock = _utc_now) -> None:
        self.root = root
        self.quarantined: builtins.list[Path] = []
        self._clock = clock

    @classmethod
    def default(cls, environ: Mapping[str, str] = os.environ) -> DraftStore:
        """The store under ``$XDG_STATE_HOME/integrator-explorer/drafts``."""
        return cls(state_dir(environ) / "drafts")

    def path_for(self, profile: str, kind: str, id: str) -> Path:
        """The file a draft lives in; raise UnsafeName if any part could escape ``root``."""
        path = (
            self.root
            / check_name(profile, "profile")
            / check_name(kind, "kind")
            / f"{check_name(id, 'id')}.json"
        )
        # Belt and braces: the checks above already make this impossible.
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise UnsafeName(f"draft path for {kind}/{id} would leave the drafts directory")
        return path

    def save(self, draft: Draft) -> Draft:
        """Write ``draft`` (stamped with the current time) and return the stamped copy. Raises OSError."""
        stamped = replace(draft, saved_at=iso_time(self._clock()))
        data = json.dumps(stamped.to_json(), ensure_ascii=True, separators=(",", ":")).encode("ascii")
        write_private_file(self.path_for(draft.profile, draft.kind, draft.id), data)
        return stamped

    def load(self, profile: str, kind: str, id: str) -> Draft | None:
        """The saved draft, or None if there is none or it is unreadable (then it is moved aside)."""
        return self._read(self.path_for(profile, kind, id), (profile, kind, id))

    def discard(self, profile: str, kind: str, id: str) -> bool:
        """Delete a draft (after a successful PUT, or when the user declines it); True if one existed."""
        try:
            self.path_for(profile, kind, id).unlink()
        except FileNotFoundError:
            return False
        return True

    def list(self, profile: str | None = None) -> builtins.list[Draft]:
        """Every readable draft (of one profile, or of all), most recently saved first."""
        profiles = [check_name(profile, "profile")] if profile is not None else self._children(self.root)
        drafts: builtins.list[Draft] = []
        for profile_name in profiles:
            for kind in self._children(self.root / profile_name):
                folder = self.root / profile_name / kind
                for file in sorted(folder.glob("*.json")):
                    if not SAFE_NAME_RE.match(file.stem):
                        continue
                    draft = self._read(file, (profile_name, kind, file.stem))
                    if draft is not None:
                        drafts.append(draft)
        return sorted(drafts, key=lambda d: d.saved_at, reverse=True)

    @staticmethod
    def _children(folder: Path) -> builtins.list[str]:
        try:
            return sorted(p.name for p in folder.iterdir() if p.is_dir() and SAFE_NAME_RE.match(p.name))
        except OSError:
            return []

    def _read(self, path: Path, expected: tuple[str, str, str]) -> Draft | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            self._quarantine(path)
            return None
        try:
            data = json.loads(raw)
            if isinstance(data, dict) and isinstance(data.get("v"), int) and data["v"] > DRAFT_FORMAT:
                return None  # written by a newer version: not ours to judge or move
            draft = Draft.from_json(data)
            if (draft.profile, draft.kind, draft.id) != expected:
                raise ValueError("draft file does not match its location")
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError; absurd nesting
            self._quarantine(path)
            return None
        return draft

    def _quarantine(self, path: Path) -> None:
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
            counter += 1
        with contextlib.suppress(OSError):
            os.replace(path, target)
            self.quarantined.append(target)


# --- journal ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalEntry:
    """One write this tool sent: what, where, the answer's status, and the document before and after.

    ``status`` is None when no answer came (timeout, reset): the write may or may not have happened.
    ``server`` (the API base URL) and ``account`` (the token's ``_userId``) say where it went, so an undo from
    another server or account is refused; None in entries written before they were recorded. ``not_taken``
    lists the JSON paths whose value the server did not keep as sent (locked or normalised fields).
    ``extra`` holds keys this version does not know; they are written back as they came.
    """

    time: str
    profile: str
    method: str
    path: str
    status: int | None
    before: Any = None
    after: Any = None
    kind: str | None = None
    resource_id: str | None = None
    note: str | None = None
    server: str | None = None
    account: str | None = None
    batch: str | None = None
    """The id of the bulk fix this write belongs to (``iox fix``, ``T``): undone together."""
    not_taken: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The journal line's object (unknown keys from ``extra`` alongside the known ones; ``batch`` only
        when set, so single writes read as before)."""
        data = _shallow_dict(self)
        extra = data.pop("extra")
        data["not_taken"] = list(self.not_taken)
        if data.get("batch") is None:
            data.pop("batch", None)
        return {**{k: v for k, v in extra.items() if k not in data}, **data}

    @classmethod
    def from_json(cls, data: Any) -> JournalEntry:
        """Rebuild an entry from a journal line's object; raise ValueError on anything malformed."""
        if not isinstance(data, dict):
            raise ValueError("not an entry object")
        if not all(isinstance(data.get(key), str) for key in ("time", "profile", "method", "path")):
            raise ValueError("a required field is missing or not a string")
        status = data.get("status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise ValueError("status is not an integer")
        optional = {key: data.get(key) for key in _OPTIONAL_STRINGS}
        if not all(value is None or isinstance(value, str) for value in optional.values()):
            raise ValueError(f"{', '.join(_OPTIONAL_STRINGS)} must be strings")
        not_taken = data.get("not_taken") or []
        if not isinstance(not_taken, list) or not all(isinstance(item, str) for item in not_taken):
            raise ValueError("not_taken is not a list of strings")
        return cls(
            time=data["time"],
            profile=data["profile"],
            method=data["method"],
            path=data["path"],
            status=status,
            before=data.get("before"),
            after=data.get("after"),
            not_taken=tuple(not_taken),
            extra={key: value for key, value in data.items() if key not in _ENTRY_KEYS},
            **optional,
        )

    @property
    def succeeded(self) -> bool:
        """True when the server accepted the write (2xx)."""
        return self.status is not None and 200 <= self.status < 300


_OPTIONAL_STRINGS = ("kind", "resource_id", "note", "server", "account", "batch")
_ENTRY_KEYS = frozenset(f.name for f in fields(JournalEntry)) - {"extra"}


class Journal:
    """The append-only record of every write, one JSON object per line, newest at the end of the file.

    Appends are a single ``write`` on an O_APPEND descriptor followed by fsync, so concurrent ``iox``
    processes do not interleave lines and a crash loses at most the line being written. Readers skip lines
    they cannot parse and count them in ``corrupt_lines`` (for the last read) instead of failing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.corrupt_lines = 0

    @classmethod
    def default(cls, environ: Mapping[str, str] = os.environ) -> Journal:
        """The journal at ``$XDG_STATE_HOME/integrator-explorer/journal.jsonl``."""
        return cls(state_dir(environ) / "journal.jsonl")

    def record(self, entry: JournalEntry, *, secrets: Iterable[str] = ()) -> JournalEntry:
        """Append ``entry`` (with ``secrets`` masked everywhere) and return what was stored.

        Raises OSError if the disk refuses, and TypeError if a document is not JSON-serialisable.
        """
        return self.record_many([entry], secrets=secrets)[0]

    def record_many(self, entries: Sequence[JournalEntry], *,
                    secrets: Iterable[str] = ()) -> builtins.list[JournalEntry]:
        """Append several entries with one write and one fsync (a bulk fix journals thousands: one fsync
        each was most of its cost). All or none reach the disk's page cache before the fsync returns."""
        known = [secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH]
        needles = [_json_line(secret)[1:-2] for secret in known]
        stored_all: builtins.list[dict[str, Any]] = []
        lines: builtins.list[bytes] = []
        for entry in entries:
            stored = entry.to_json()
            line = _json_line(stored)
            # Walking a 2 MB document in Python is slow; a substring test on its JSON text is not.
            if any(needle in line for needle in needles):
                stored = redact(stored, known)
                line = _json_line(stored)
            stored_all.append(stored)
            lines.append(line)
        data = b"".join(lines)
        ensure_private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a crash cut the last line short: don't glue ours onto it
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return [JournalEntry.from_json(stored) for stored in stored_all]

    def entries(self, profile: str | None = None, path: str | None = None) -> list[JournalEntry]:
        """Every readable entry, newest first, optionally only one profile's and/or one resource path's."""
        return [
            entry
            for entry in self._newest_first()
            if (profile is None or entry.profile == profile) and (path is None or entry.path == path)
        ]

    def batch(self, batch_id: str) -> list[JournalEntry]:
        """Every entry of one bulk fix, oldest first (its header, then each record's intent and outcome)."""
        found = [entry for entry in self._newest_first() if entry.batch == batch_id]
        found.reverse()
        return found

    def last_put(self, profile: str, path: str) -> JournalEntry | None:
        """The newest successful PUT to ``path`` with a ``before`` document: what "undo my last PUT" restores.

        Failed PUTs changed nothing, so they are skipped. An undo is itself a PUT, so undoing twice redoes.
        """
        for entry in self._newest_first():
            if (
                entry.profile == profile
                and entry.path == path
                and entry.method.upper() == "PUT"
                and entry.succeeded
                and entry.before is not None
            ):
                return entry
        return None

    def _newest_first(self) -> Iterator[JournalEntry]:
        self.corrupt_lines = 0
        for line in lines_from_end(self.path):
            if not line.strip():
                continue
            try:
                entry = JournalEntry.from_json(json.loads(line))
            except (ValueError, RecursionError):
                self.corrupt_lines += 1
                continue
            yield entry


def _json_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def lines_from_end(path: Path, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Yield a file's lines last first, reading it backwards in chunks (the newest entries are at the end)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        position = handle.seek(0, os.SEEK_END)
        tail: list[bytes] = []  # pieces of the line being assembled, last piece first
        while position > 0:
            step = min(chunk_size, position)
            position -= step
            handle.seek(position)
            pieces = handle.read(step).split(b"\n")
            if len(pieces) > 1:
                # Only the new chunk is split, so a line longer than many chunks costs linear time.
                yield pieces[-1] + b"".join(reversed(tail))
                yield from reversed(pieces[1:-1])
                tail = []
            tail.append(pieces[0])
        if any(tail):
            yield b"".join(reversed(tail))
