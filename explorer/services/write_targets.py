"""What an edit writes to: a JSON document at an API path with a GET and a PUT, and how its version is told.

Why its own module: the editor, ``iox put``, undo from the journal and bulk edits of retry data all name a
document the same way (kind and id for drafts and the journal, a path for the request) and guard it with the
same version rule (``lastModified``, else a content hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from explorer.journal import JournalEntry
from explorer.model.documents import SERVER_OWNED

EDITABLE_KINDS: dict[str, str] = {
    "integrations": "integration",
    "flows": "flow",
    "exports": "export",
    "imports": "import",
    "connections": "connection",
}
"""API collection → singular noun, for every resource kind the editor may PUT."""

RETRY_DATA_KIND = "retrydata"
"""Drafts/journal kind of a retry-data document (``PUT /v1/flows/{f}/{step}/{key}/data``)."""

READ_ONLY_REASON = (
    "this profile is read-only (--read-only, or read_only = true in the profile): "
    "editing and every other change are switched off"
)
"""Why mutating keys are hidden and the editor refuses to open in a read-only session."""


class JsonDocumentApi(Protocol):
    """What a safe write needs from the client: GET and PUT of JSON at an API path (IntegratorClient fits)."""

    @property
    def base_url(self) -> str:
        """The API base URL, ending in ``/v1/``."""
        ...

    @property
    def read_only(self) -> bool:
        """True when the client refuses every non-GET."""
        ...

    async def get_json(self, path: str) -> Any:
        """GET a path; its JSON."""
        ...

    async def put_json(self, path: str, doc: Any) -> Any:
        """PUT a whole document; the answer's JSON (None when empty)."""
        ...




@dataclass(frozen=True)
class DocumentTarget:
    """A JSON document at an API path that has a GET and a PUT; the editor is generic over these.

    ``kind`` and ``resource_id`` name the draft file and the journal entry (both must be safe file names);
    ``path`` is relative to the API base (``flows/<id>``); ``version_field`` is what the stale-write guard
    compares (None: the whole content); ``server_owned`` are top-level fields hidden from the diff.
    """

    kind: str
    resource_id: str
    path: str
    label: str
    server_owned: tuple[str, ...] = SERVER_OWNED
    version_field: str | None = "lastModified"


def resource_target(kind: str, resource_id: str, name: str | None = None) -> DocumentTarget:
    """The preset for an integration, flow, export, import or connection (``kind`` singular or plural)."""
    plural = kind if kind in EDITABLE_KINDS else f"{kind}s"
    if plural not in EDITABLE_KINDS:
        raise ValueError(f"{kind!r} is not an editable resource kind ({', '.join(EDITABLE_KINDS)})")
    noun = EDITABLE_KINDS[plural]
    label = f"{noun} {name!r} ({resource_id})" if name else f"{noun} {resource_id}"
    return DocumentTarget(plural, resource_id, f"{plural}/{quote(resource_id, safe='')}", label)


def retry_data_target(flow_id: str, step_id: str, retry_data_key: str) -> DocumentTarget:
    """The preset for one error's retry data (no ``lastModified``: the guard compares content)."""
    segments = "/".join(quote(part, safe="") for part in (flow_id, step_id, retry_data_key))
    return DocumentTarget(
        RETRY_DATA_KIND,
        f"{flow_id}.{step_id}.{retry_data_key}",
        f"flows/{segments}/data",
        f"retry data {retry_data_key} (flow {flow_id}, step {step_id})",
        server_owned=(),
        version_field=None,
    )


def target_from_entry(entry: JournalEntry) -> DocumentTarget | None:
    """The target a journal entry wrote to (for undo from the journal screen), or None if unknown."""
    if not entry.kind or not entry.resource_id:
        return None
    if entry.kind in EDITABLE_KINDS:
        return resource_target(entry.kind, entry.resource_id)
    if entry.kind == RETRY_DATA_KIND:
        parts = entry.resource_id.split(".")
        if len(parts) == 3:
            return retry_data_target(*parts)
    return None


def write_refusal(read_only: bool, locked_reason: str | None = None) -> str | None:
    """Why this session may not write (None: it may): read-only profile, or a resource outside the scope."""
    if read_only:
        return READ_ONLY_REASON
    return locked_reason


def document_version(target: DocumentTarget, doc: Any) -> str:
    """What the stale-write guard compares: ``lastModified`` when present, else a hash of the content."""
    if target.version_field and isinstance(doc, Mapping):
        value = doc.get(target.version_field)
        if isinstance(value, str) and value:
            return value
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]


def request_path(api: JsonDocumentApi, target: DocumentTarget) -> str:
    """The path the PUT goes to, as shown and journaled: ``/v1/flows/<id>``."""
    return path_under(api.base_url, target)


def path_under(base_url: str, target: DocumentTarget) -> str:
    """``target``'s path below an API base URL, as shown and journaled (``/v1/flows/F/S/K/data``)."""
    base = urlsplit(base_url).path or "/"
    return base.rstrip("/") + "/" + target.path.lstrip("/")
