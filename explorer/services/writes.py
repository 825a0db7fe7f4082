"""The one code path for safe writes (PUT of a whole JSON document), shared by the TUI editor and ``iox put``.

Why one path: PUT replaces the whole object, a 422 is the everyday failure, another user may have saved in
the meantime, and nothing a user typed may be lost. Every write therefore goes:

1. :func:`begin_edit` — GET the document; remember it and its version (``lastModified``, or a content hash
   for documents without one, such as retry data);
2. :func:`~explorer.services.json_check.parse_document` — local validation with line and column;
3. :func:`plan_write` — the body to PUT, the unified diff to confirm (server-owned fields hidden, never
   dropped) and the warnings (masked secrets, removed fields: PUT erases what it omits);
4. :func:`submit_write` — re-GET just before the PUT; if the version moved, do not PUT and return
   :class:`Stale` (what changed on the server) so the caller offers :func:`rebase` (overwrite) or
   :func:`merge_onto` (reload and re-apply as a three-way merge); else PUT, record the attempt in the
   journal whatever its outcome, and drop the draft after a success.

"Undo my last PUT" (:func:`begin_undo`) is a normal edit whose text is the journal's ``before`` document.
Drafts (:func:`save_draft`, :func:`restore_session`) keep the editor text and the base document, so an edit
survives a crash and can still be checked for staleness. No textual here: the CLI uses the same functions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from explorer.client import ApiError, ReadOnlyViolation
from explorer.gc_policy import collector_paused
from explorer.journal import Draft, DraftStore, Journal, JournalEntry, iso_time
from explorer.model import masked_secret_paths
from explorer.model.documents import SERVER_OWNED
from explorer.model.paths import PathPart, path_label
from explorer.services.canonical import CanonicalLines, dump_lines
from explorer.services.diff import (
    Change,
    changes,
    diff_stats,
    document_diff,
    format_document,
    shown_lines,
    unified_lines,
)
from explorer.services.json_check import parse_document
from explorer.services.merge import MergeResult, three_way_merge
from explorer.services.write_targets import (
    RETRY_DATA_KIND,
    DocumentTarget,
    JsonDocumentApi,
    document_version,
    request_path,
)
from explorer.services.write_truth import NotTaken, not_taken, undo_refusal

Clock = Callable[[], datetime]

# --- an edit in progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditSession:
    """The document an edit started from and its version, so the guard can tell if the server moved on."""

    target: DocumentTarget
    profile: str
    base: Any
    base_version: str
    path: str

    @cached_property
    def base_lines(self) -> CanonicalLines:
        """The base document in editor form (formatted once; later diffs reuse it)."""
        return CanonicalLines.of(self.base)

    @property
    def base_text(self) -> str:
        """The base document in editor form, as the editor loads it."""
        return "\n".join(self.base_lines.lines)

    @cached_property
    def shown_base_lines(self) -> list[str]:
        """The base lines as the diff shows them (server-owned fields left out), computed once."""
        return shown_lines(self.base_lines.lines, self.base, self.target.server_owned)


async def begin_edit(api: JsonDocumentApi, target: DocumentTarget, profile: str) -> EditSession:
    """GET the document and start an edit of it. Raises ApiError (the GET failed)."""
    doc = await api.get_json(target.path)
    return new_session(api, target, profile, doc)


def new_session(api: JsonDocumentApi, target: DocumentTarget, profile: str, doc: Any) -> EditSession:
    """An edit that starts from a document already fetched (e.g. the one the JSON pane shows)."""
    session = EditSession(target, profile, doc, document_version(target, doc), request_path(api, target))
    session.base_lines.index()  # format and index once now, not when the user submits
    session.shown_base_lines  # noqa: B018
    return session


def rebase(session: EditSession, server_doc: Any) -> EditSession:
    """"Overwrite": the same edit, now based on the server's newer document (the guard checks that one)."""
    return replace(session, base=server_doc, base_version=document_version(session.target, server_doc))


def merge_onto(session: EditSession, text: str, server_doc: Any) -> tuple[EditSession, MergeResult, str]:
    """"Reload and merge": the user's changes re-applied onto the server's newer document.

    Returns the session based on ``server_doc``, the merge result (conflicts keep the server's value) and
    the merged document in editor form. Raises InvalidJson if ``text`` does not parse.
    """
    mine = parse_document(text)
    result = three_way_merge(session.base, mine, server_doc, server_owned=session.target.server_owned)
    return rebase(session, server_doc), result, format_document(result.document)


# --- the plan: body, diff, warnings -------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteWarning:
    """Something the user should know before confirming: ``masked_secret``, ``removed`` or ``shrunk``."""

    kind: str
    path: str
    message: str


@dataclass(frozen=True)
class WritePlan:
    """Everything the confirm screen shows and the PUT sends."""

    session: EditSession
    body: Any
    diff: list[str]
    warnings: list[WriteWarning]
    text: str

    method = "PUT"

    @property
    def request_line(self) -> str:
        """The exact request: ``PUT /v1/flows/<id>``."""
        return f"{self.method} {self.session.path}"

    @property
    def changed(self) -> bool:
        """False when the PUT would change nothing the user can see (then there is nothing to submit)."""
        return bool(self.diff)


def plan_write(session: EditSession, text: str) -> WritePlan:
    """Validate ``text`` and work out the PUT: body, diff against the base, warnings. Raises InvalidJson.

    Server-owned fields the user deleted are put back from the base document: they are hidden from the diff,
    so deleting one must not silently change the request.
    """
    with collector_paused():  # measured: see explorer.gc_policy
        body = parse_document(text)
        server_owned = session.target.server_owned
        base = session.base_lines
        owned = session.base if isinstance(session.base, Mapping) else {}
        restored = {key: owned[key] for key in server_owned if key in owned and key not in body}
        if restored:
            body = {**restored, **body}
            body_lines = dump_lines(body)
        else:
            body_lines = base.derive(text.split("\n"), body)
        diff = unified_lines(session.shown_base_lines, shown_lines(body_lines, body, server_owned))
        warnings = write_warnings(session.base, body, server_owned=server_owned, text=text)
    return WritePlan(session=session, body=body, diff=diff, warnings=warnings, text=text)


def write_warnings(
    base: Any, body: Any, *, server_owned: Sequence[str] = SERVER_OWNED, text: str | None = None
) -> list[WriteWarning]:
    """Masked secrets about to be sent back, fields or array items the PUT would erase, and an Integration
    App's locked fields (``_connectorId``).

    ``text`` (what ``body`` was parsed from) lets a document without a mask skip the walk for one.
    """
    may_hold_mask = text is None or '"******"' in text or "\\u002" in text.lower()
    found = [
        WriteWarning(
            "masked_secret",
            path,
            f'{path} is the masked placeholder "******": sending it back may be rejected (422) '
            "or store the mask as the secret; type the real value or leave the resource unchanged",
        )
        for path in (masked_secret_paths(body) if may_hold_mask else [])
    ]
    for parts, base_value, body_value in _removals(base, body, (), server_owned):
        label = path_label(parts)
        if body_value is _REMOVED:
            message = f"{label} is removed entirely: PUT replaces the whole object, so it is erased"
            found.append(WriteWarning("removed", label, message))
        else:
            found.append(WriteWarning(
                "shrunk", label,
                f"{label}: {len(base_value) - len(body_value)} of {len(base_value)} items removed "
                "(PUT erases them)",
            ))
    if isinstance(base, Mapping) and base.get("_connectorId") and base != body:
        found.append(WriteWarning(
            "integration_app", "_connectorId",
            "this resource belongs to an Integration App (_connectorId): integrator.io locks most of its "
            "fields, so changes to locked ones may not take; each field that does not is named after the PUT",
        ))
    return found


_REMOVED = object()


def _removals(
    base: Any, body: Any, path: tuple[PathPart, ...], server_owned: Sequence[str]
) -> Iterable[tuple[tuple[PathPart, ...], Any, Any]]:
    if base is body or base == body:  # C-speed; only changed branches are walked
        return
    if isinstance(base, Mapping) and isinstance(body, Mapping):
        for key, value in base.items():
            if not path and key in server_owned:
                continue
            if key not in body:
                yield (*path, key), value, _REMOVED
            else:
                yield from _removals(value, body[key], (*path, key), server_owned)
    elif isinstance(base, list) and isinstance(body, list):
        if len(body) < len(base):
            yield path, base, body
        elif len(body) == len(base):
            for index, (old, new) in enumerate(zip(base, body, strict=True)):
                yield from _removals(old, new, (*path, index), server_owned)


# --- submit -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """The PUT succeeded: what the server now holds, the journal entry, and a one-line summary.

    ``not_taken`` lists the JSON paths the server did not keep as sent (empty: the document reads as sent).
    """

    plan: WritePlan
    document: Any
    status: int
    entry: JournalEntry | None
    journal_error: str | None = None
    not_taken: tuple[NotTaken, ...] = ()

    @property
    def target(self) -> DocumentTarget:
        """What was saved (``target.kind``, ``target.resource_id`` for refreshing the tree)."""
        return self.plan.session.target

    @property
    def summary(self) -> str:
        """What the notification says."""
        saved = f"Saved {self.plan.session.target.label}: {self.plan.request_line} → {self.status}"
        if self.not_taken:
            saved += f", but {len(self.not_taken)} field(s) did not take"
        return saved


@dataclass(frozen=True)
class Stale:
    """Not sent: the server's document changed since the edit began. Offer overwrite or reload + merge."""

    plan: WritePlan
    server_document: Any
    server_changes: list[Change]
    server_diff: list[str]

    @property
    def summary(self) -> str:
        """One line for the choice screen's title."""
        doc = self.server_document if isinstance(self.server_document, Mapping) else {}
        who, when = doc.get("lastModifiedBy"), doc.get("lastModified")
        by = f" by {who}" if isinstance(who, str) else ""
        at = f" at {when}" if isinstance(when, str) else ""
        label = self.plan.session.target.label
        return (f"{label} was changed on the server{by}{at} since you began editing: "
                f"{len(self.server_changes)} change(s). Nothing was sent.")


@dataclass(frozen=True)
class Failed:
    """The write did not happen (or its outcome is unknown). The draft is kept; ``error`` says what failed.

    ``put_sent`` is False when the failure came before the PUT (the re-GET failed, or the client refused a
    write in a read-only session).
    """

    plan: WritePlan
    error: ApiError
    put_sent: bool
    entry: JournalEntry | None = None
    journal_error: str | None = None

    @property
    def summary(self) -> str:
        """What the user is told."""
        stage = "the PUT" if self.put_sent else "the check before the PUT"
        unknown = self.put_sent and self.error.status is None
        outcome = "; it may or may not have been applied" if unknown else ""
        return f"Not saved: {stage} failed{outcome}: {self.error}. Your edit is kept as a draft."


WriteOutcome = Saved | Stale | Failed


def _record(
    journal: Journal,
    plan: WritePlan,
    *,
    status: int | None,
    before: Any,
    after: Any,
    note: str | None,
    clock: Clock | None,
    secrets: Iterable[str],
    server: str,
    account: str | None,
    missed: Sequence[NotTaken] = (),
) -> tuple[JournalEntry | None, str | None]:
    session = plan.session
    entry = JournalEntry(
        time=iso_time(clock() if clock else None),
        profile=session.profile,
        method=plan.method,
        path=session.path,
        status=status,
        before=before,
        after=after,
        kind=session.target.kind,
        resource_id=session.target.resource_id,
        note=note,
        server=server,
        account=account,
        not_taken=tuple(item.path for item in missed),
    )
    try:
        return journal.record(entry, secrets=secrets), None
    except (OSError, TypeError) as exc:
        return None, f"the journal could not record this write: {exc}"


async def submit_write(
    api: JsonDocumentApi,
    plan: WritePlan,
    *,
    journal: Journal,
    drafts: DraftStore | None = None,
    clock: Clock | None = None,
    secrets: Iterable[str] = (),
    account: str | None = None,
) -> WriteOutcome:
    """Re-GET, refuse if stale, PUT, compare what the server kept with what was sent, journal the attempt
    (with the server and ``account``, the token's ``_userId``), drop the draft on success. Never raises
    ApiError."""
    session = plan.session
    target = session.target
    try:
        current = await api.get_json(target.path)
    except ApiError as exc:
        return Failed(plan, exc, put_sent=False)
    # Only the version: content also moves when a flow merely runs (lastExecutedAt), which is no conflict.
    if document_version(target, current) != session.base_version:
        return Stale(
            plan,
            server_document=current,
            server_changes=changes(session.base, current, ignore_top=target.server_owned),
            server_diff=document_diff(session.base, current, server_owned=target.server_owned,
                                      from_name="when you began", to_name="server now"),
        )
    try:
        answer = await api.put_json(target.path, plan.body)
    except ReadOnlyViolation as exc:
        return Failed(plan, exc, put_sent=False)
    except ApiError as exc:
        fields = [f"{item.field}: {item.code}: {item.message}" for item in exc.errors if item.field]
        note = "; ".join([f"{exc.code}: {exc.message}", *fields])
        entry, journal_error = _record(journal, plan, status=exc.status, before=current, after=plan.body,
                                       note=note, clock=clock, secrets=secrets, server=api.base_url,
                                       account=account)
        return Failed(plan, exc, put_sent=True, entry=entry, journal_error=journal_error)
    status = 204 if answer is None else 200
    saved = answer
    # Retry data's PUT answer is not documented: read the stored object back rather than trust an echo.
    if not isinstance(saved, Mapping) or target.kind == RETRY_DATA_KIND:
        try:
            saved = await api.get_json(target.path)
        except ApiError:
            saved = plan.body
    missed = not_taken(plan.body, saved, target.server_owned)
    # The entry's ``not_taken`` names the paths (the journal screen shows them); no note repeats them.
    entry, journal_error = _record(journal, plan, status=status, before=current, after=saved, note=None,
                                   clock=clock, secrets=secrets, server=api.base_url, account=account,
                                   missed=missed)
    if drafts is not None:
        # If this fails the stale draft is offered again later, and the user can discard it then.
        with contextlib.suppress(OSError):
            drafts.discard(session.profile, target.kind, target.resource_id)
    return Saved(plan, saved, status, entry, journal_error, tuple(missed))


# --- undo ---------------------------------------------------------------------------------------------------


class NothingToUndo(LookupError):
    """The journal holds no successful PUT of this resource for this profile."""


class UndoRefused(Exception):
    """The last PUT was made on another server or account than the current session's: it says which."""


def undo_document(entry: JournalEntry, current: Any, server_owned: Sequence[str] = SERVER_OWNED) -> Any:
    """The journal's ``before`` document, with the current one's server-owned fields (they are not ours)."""
    before = entry.before
    if isinstance(before, Mapping) and isinstance(current, Mapping):
        restored = {key: value for key, value in before.items() if key not in server_owned}
        owned = {key: current[key] for key in server_owned if key in current}
        return {**owned, **restored}
    return before


async def begin_undo(
    api: JsonDocumentApi, target: DocumentTarget, profile: str, journal: Journal, account: str | None = None
) -> tuple[EditSession, str, JournalEntry]:
    """Start "undo my last PUT": the session on the current document and the text to submit.

    Raises NothingToUndo, UndoRefused (the PUT went to another server or account than ``api``'s and
    ``account``), or ApiError if the GET fails. The result goes through the normal path (diff,
    confirm, stale guard), so undoing a PUT someone has since built on is caught like any stale write.
    """
    path = request_path(api, target)
    entry = journal.last_put(profile, path)
    if entry is None:
        raise NothingToUndo(f"no successful PUT of {target.label} in the journal for profile {profile!r}")
    refusal = undo_refusal(entry, api.base_url, account)
    if refusal is not None:
        raise UndoRefused(refusal)
    session = await begin_edit(api, target, profile)
    return session, format_document(undo_document(entry, session.base, target.server_owned)), entry


# --- drafts -------------------------------------------------------------------------------------------------


def save_draft(drafts: DraftStore, session: EditSession, text: str) -> Draft:
    """Keep the editor text with its base document (raises OSError or UnsafeName)."""
    target = session.target
    return drafts.save(Draft(
        profile=session.profile,
        kind=target.kind,
        id=target.resource_id,
        path=session.path,
        base_last_modified=session.base_version,
        base_document=session.base,
        text=text,
    ))


def load_draft(drafts: DraftStore, profile: str, target: DocumentTarget) -> Draft | None:
    """The saved draft of this resource, if any (unreadable ones are moved aside by the store)."""
    return drafts.load(profile, target.kind, target.resource_id)


def restore_session(api: JsonDocumentApi, target: DocumentTarget, draft: Draft) -> EditSession:
    """Resume a draft against the document it started from; the stale guard then checks the server."""
    version = draft.base_last_modified or document_version(target, draft.base_document)
    return EditSession(target, draft.profile, draft.base_document, version, request_path(api, target))


def draft_differs(draft: Draft, fresh: EditSession) -> bool:
    """True when a draft holds something the fresh document does not (worth offering back)."""
    return draft.text != fresh.base_text or draft.base_last_modified != fresh.base_version


@dataclass(frozen=True)
class DraftSummary:
    """What the restore offer tells the user about a draft."""

    saved_at: str
    server_moved: bool
    added: int
    removed: int


def summarize_draft(draft: Draft, fresh: EditSession) -> DraftSummary:
    """When the draft was saved, whether the server moved on since, and roughly how much it changes."""
    before = format_document(draft.base_document).split("\n")
    after = draft.text.split("\n")
    added, removed = diff_stats(unified_lines(before, after))
    return DraftSummary(draft.saved_at, draft.base_last_modified != fresh.base_version, added, removed)
