"""The account tree as plain values: nodes (``TreeItem``), why something failed (``Failure``), steps.

Why a module of its own: the explorer's tree widget and ``iox tree`` draw the same nodes, and tests compare
them, so the nodes are built here by pure functions from model objects — no I/O, no Textual. Loading them is
``explorer.services.account``'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from explorer.client import ApiError, Forbidden
from explorer.model import Connection, Export, Flow, Import, Integration, Step, TokenInfo

ItemKind = Literal[
    "integration", "standalone", "flow", "step", "errors", "jobs", "connections", "connection", "notice"
]
LOCKED_TEXT = "outside this token's scope"
"""What a node shows when the API answered 403 (or the token's scope says it cannot be read)."""
STANDALONE_KEY = "standalone"
CONNECTIONS_KEY = "connections"


# --------------------------------------------------------------------------------------------- failures
@dataclass(frozen=True)
class Failure:
    """Why something could not be loaded, as data a tree node can show and a user can act on.

    ``locked`` means the token may not read it (HTTP 403, or the token's scope lists exclude it): retrying
    will not help, so the node is shown as locked rather than failed.
    """

    message: str
    status: int | None = None
    code: str = ""
    method: str = ""
    path: str = ""
    locked: bool = False

    @classmethod
    def from_error(cls, exc: ApiError) -> Failure:
        """The failure for an API error (the message is already scrubbed of the token by the client)."""
        return cls(message=exc.message, status=exc.status, code=exc.code, method=exc.method, path=exc.path,
                   locked=isinstance(exc, Forbidden))

    @classmethod
    def out_of_scope(cls, kind: str, resource_id: str) -> Failure:
        """A lock decided from the token's scope lists, without asking the server."""
        return cls(message=f"this token's scope does not list {kind} {resource_id}", code="out_of_scope",
                   locked=True)

    @property
    def summary(self) -> str:
        """One short line for a tree node: the lock reason, or the status and message."""
        if self.locked:
            return LOCKED_TEXT
        status = f"HTTP {self.status}" if self.status is not None else "no response"
        return f"{status}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        """The failure as a document for the JSON pane."""
        return {
            "error": self.summary, "message": self.message, "status": self.status, "code": self.code,
            "request": " ".join(part for part in (self.method, self.path) if part) or None,
            "hint": "this token cannot read it; use a token with a wider scope" if self.locked
            else "press r on the node to try again",
        }


# --------------------------------------------------------------------------------------------- steps
@dataclass(frozen=True)
class StepCatalog:
    """Every export and import the token can list, loaded once so steps get names without per-step GETs."""

    exports: dict[str, Export] = field(default_factory=dict)
    imports: dict[str, Import] = field(default_factory=dict)
    exports_failure: Failure | None = None
    imports_failure: Failure | None = None

    def resource(self, step: Step) -> Export | Import | None:
        """The export or import behind a step, if it was listed."""
        return self.imports.get(step.step_id) if step.kind == "import" else self.exports.get(step.step_id)


@dataclass(frozen=True)
class StepInfo:
    """A flow step with what the tree shows: name, adaptor, open errors, and whether the token may read it."""

    step: Step
    name: str = ""
    adaptor_type: str | None = None
    doc: dict[str, Any] | None = None
    open_errors: int | None = None
    lock: Failure | None = None
    missing: str = ""
    """Why the step has no name: its list (exports or imports) could not be loaded."""
    connection_id: str | None = None
    connection: Connection | None = None
    connection_lock: Failure | None = None

    @property
    def resource_kind(self) -> str:
        """The API collection of the step's resource: ``exports`` or ``imports``."""
        return "imports" if self.step.kind == "import" else "exports"

    @property
    def label(self) -> str:
        """The name, or the id when the name is unknown."""
        return self.name or self.step.step_id


def describe_steps(flow: Flow, counts: dict[str, int] | None, catalog: StepCatalog | None,
                   token: TokenInfo | None,
                   connections: dict[str, Connection] | None = None) -> list[StepInfo]:
    """The steps of a flow in order, named from the catalog and counted from the flow's error summary.

    A step (or a step's connection) the token's scope excludes is locked without a request; one that is
    simply not in the catalog (yet) keeps its id as its label and may still be fetched by id.
    """
    out: list[StepInfo] = []
    for step in flow.steps():
        resource = catalog.resource(step) if catalog is not None else None
        lock: Failure | None = None
        if resource is None and token is not None:
            singular = "import" if step.kind == "import" else "export"
            if token.may_access(singular, step.step_id) is False:
                lock = Failure.out_of_scope(singular, step.step_id)
        missing = ""
        if resource is None and lock is None and catalog is not None:
            failed = catalog.imports_failure if step.kind == "import" else catalog.exports_failure
            if failed is not None and not failed.locked:
                listing = "imports" if step.kind == "import" else "exports"
                missing = f"{listing} could not be loaded — r retries"
        connection_id = resource.connection_id if resource is not None else None
        connection = (connections or {}).get(connection_id) if connection_id else None
        connection_lock: Failure | None = None
        if connection_id and connection is None and token is not None \
                and token.may_access("connection", connection_id) is False:
            connection_lock = Failure.out_of_scope("connection", connection_id)
        out.append(StepInfo(
            step=step,
            name=resource.name if resource is not None else "",
            adaptor_type=resource.adaptor_type if resource is not None else None,
            doc=resource.raw if resource is not None else None,
            open_errors=None if counts is None else counts.get(step.step_id, 0),
            lock=lock,
            missing=missing,
            connection_id=connection_id,
            connection=connection,
            connection_lock=connection_lock,
        ))
    return out


# --------------------------------------------------------------------------------------------- tree items
@dataclass
class TreeItem:
    """One node of the account tree, as both the TUI and ``iox tree`` show it.

    ``key`` is unique and stable across reloads (``flow:<id>``, ``step:<flow>:<step>`` ...), so expansion
    state and palette jumps survive a refresh. ``children`` is None while not loaded (lazy nodes).
    ``doc`` is the document already at hand (from a list); ``doc_path`` is where to GET it fresh.
    """

    kind: ItemKind
    key: str
    id: str
    name: str
    tags: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    open_errors: int | None = None
    doc: dict[str, Any] | None = None
    doc_path: str | None = None
    flow_id: str | None = None
    step_id: str | None = None
    failure: Failure | None = None
    expandable: bool = False
    children: list[TreeItem] | None = None

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id

    @property
    def locked(self) -> bool:
        """True when the token may not read this node."""
        return self.failure is not None and self.failure.locked


def integration_item(integration: Integration | None, integration_id: str, flows: Sequence[Flow],
                     open_errors: int | None = None, *, list_failed: bool = False) -> TreeItem:
    """An integration node; ``integration`` is None when only its flows were listed. Without flows it holds
    a "no flows" notice, so expanding it does not look like nothing happened.

    ``list_failed`` says the integrations list itself could not be loaded: then a missing integration is
    not "not in the integrations list" (we do not know), it is unknown until ``r`` loads it.
    """
    raw = integration.raw if integration is not None else None
    tags = [f"{len(flows)} flow" + ("" if len(flows) == 1 else "s")]
    flags: set[str] = set()
    if raw is not None and raw.get("_connectorId"):
        flags.add("integration_app")
        mode, version = raw.get("mode"), raw.get("version")
        tags.append("integration app" + (f" · {mode}" if isinstance(mode, str) and mode else "")
                    + (f" · v{version}" if isinstance(version, str | int | float) and str(version) else ""))
    if raw is not None and raw.get("sandbox") is True:
        tags.append("sandbox")
    if integration is None:
        tags.append("integrations list could not be loaded — r retries" if list_failed
                    else "not in the integrations list")
    return TreeItem(
        kind="integration", key=f"integration:{integration_id}", id=integration_id,
        name=integration.name if integration is not None else "", tags=tuple(tags), flags=frozenset(flags),
        open_errors=open_errors, doc=raw, doc_path=f"integrations/{integration_id}", expandable=True,
        children=[flow_item(flow) for flow in flows] or [notice_item(f"integration:{integration_id}",
                                                                     "no flows")],
    )


def standalone_item(flows: Sequence[Flow], open_errors: int | None = None) -> TreeItem:
    """The group of flows without an integration."""
    return TreeItem(kind="standalone", key=STANDALONE_KEY, id="", name="Standalone flows",
                    tags=(f"{len(flows)} flow" + ("" if len(flows) == 1 else "s"),), open_errors=open_errors,
                    expandable=True, children=[flow_item(flow) for flow in flows])


def flow_item(flow: Flow, open_errors: int | None = None,
              steps: Sequence[StepInfo] | None = None) -> TreeItem:
    """A flow node: schedule in words, disabled marker; its steps are loaded lazily (``steps`` None)."""
    flags = {"disabled"} if flow.disabled else set()
    tags = [flow.schedule_words]
    return TreeItem(
        kind="flow", key=f"flow:{flow.id}", id=flow.id, name=flow.name, tags=tuple(tags),
        flags=frozenset(flags), open_errors=open_errors, doc=flow.raw, doc_path=f"flows/{flow.id}",
        flow_id=flow.id, expandable=True,
        children=None if steps is None else flow_children(flow.id, steps),
    )


def flow_children(flow_id: str, steps: Sequence[StepInfo]) -> list[TreeItem]:
    """What a flow node holds in the TUI: its steps in flow order, then its Jobs node."""
    return [*(step_item(info) for info in steps), jobs_item(flow_id)]


def jobs_item(flow_id: str) -> TreeItem:
    """A flow's Jobs node: ``enter`` lists its latest runs and history (loaded by the jobs screen)."""
    return TreeItem(kind="jobs", key=f"jobs:{flow_id}", id=flow_id, name="Jobs", flow_id=flow_id)


def step_item(info: StepInfo) -> TreeItem:
    """A step node (export, lookup or import) with its Errors child."""
    step = info.step
    tags: list[str] = [step.kind]
    if info.adaptor_type:
        tags.append(info.adaptor_type)
    if step.branch:
        tags.append(step.branch)
    if info.missing:
        tags.append(info.missing)
    return TreeItem(
        kind="step", key=f"step:{step.flow_id}:{step.step_id}", id=step.step_id, name=info.name,
        tags=tuple(tags), open_errors=info.open_errors, doc=info.doc,
        doc_path=f"{info.resource_kind}/{step.step_id}", flow_id=step.flow_id, step_id=step.step_id,
        failure=info.lock, expandable=True, children=[errors_item(info), *step_connection_items(info)],
    )


def step_connection_items(info: StepInfo) -> list[TreeItem]:
    """The connection a step uses (none when its document is unknown), locked if out of the token's scope."""
    if not info.connection_id:
        return []
    step = info.step
    key = f"stepconnection:{step.flow_id}:{step.step_id}"
    if info.connection is not None:
        item = connection_item(info.connection)
        item.key = key
        item.flow_id, item.step_id = step.flow_id, step.step_id
        return [item]
    return [TreeItem(kind="connection", key=key, id=info.connection_id, name="",
                     doc_path=f"connections/{info.connection_id}", flow_id=step.flow_id, step_id=step.step_id,
                     failure=info.connection_lock)]


def errors_item(info: StepInfo) -> TreeItem:
    """The Errors node of a step: its open count; selecting it opens the step's error list."""
    step = info.step
    return TreeItem(
        kind="errors", key=f"errors:{step.flow_id}:{step.step_id}", id=step.step_id, name="Errors",
        open_errors=info.open_errors, flow_id=step.flow_id, step_id=step.step_id,
        doc_path=f"flows/{step.flow_id}/{step.step_id}/errors",
    )


def connections_item(connections: Sequence[Connection], failure: Failure | None = None,
                     token: TokenInfo | None = None) -> TreeItem:
    """The Connections group; locked when it failed with 403 or the token's scope grants no connection."""
    if failure is None and not connections and token is not None and token.scope == "custom" \
            and not token.connection_ids:
        failure = Failure("this token's scope grants no connections", code="out_of_scope", locked=True)
    tags = () if failure is not None else (f"{len(connections)} connection" + ("" if len(connections) == 1
                                                                               else "s"),)
    offline = sum(1 for c in connections if c.offline)
    if offline:
        tags = (*tags, f"{offline} offline")
    return TreeItem(kind="connections", key=CONNECTIONS_KEY, id="", name="Connections", tags=tags,
                    failure=failure, expandable=failure is None,
                    children=None if failure is not None else [connection_item(c) for c in connections])


def connection_item(connection: Connection) -> TreeItem:
    """A connection node with its type and the offline marker."""
    return TreeItem(kind="connection", key=f"connection:{connection.id}", id=connection.id,
                    name=connection.name, tags=(connection.type,) if connection.type else (),
                    flags=frozenset({"offline"}) if connection.offline else frozenset(), doc=connection.raw,
                    doc_path=f"connections/{connection.id}")


def notice_item(parent_key: str, text: str, failure: Failure | None = None) -> TreeItem:
    """A leaf that says something about its parent's children: "loading…", or why they failed to load."""
    return TreeItem(kind="notice", key=f"notice:{parent_key}", id="", name=text, failure=failure)


def format_tree(items: Sequence[TreeItem], *, prefix: str = "", name_limit: int = 0,
                show_ids: bool = False) -> list[str]:
    """Plain-text lines of a tree (box-drawing guides), for ``iox tree`` and for tests.

    Errors and Jobs nodes are left out: the count is already on the step's line, and jobs are not loaded.
    ``name_limit`` (characters, 0 = none) shortens long names and failure messages as ``iox errors`` does.
    """
    lines: list[str] = []
    items = [item for item in items if item.kind not in ("errors", "jobs")]
    for index, item in enumerate(items):
        last = index == len(items) - 1
        line = describe_item(item, name_limit=name_limit, show_ids=show_ids)
        lines.append(f"{prefix}{'└── ' if last else '├── '}{line}")
        if item.children:
            lines += format_tree(item.children, prefix=prefix + ("    " if last else "│   "),
                                 name_limit=name_limit, show_ids=show_ids)
    return lines


def _shorten(text: str, limit: int) -> str:
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def describe_item(item: TreeItem, *, name_limit: int = 0, show_ids: bool = False) -> str:
    """One line for a node in plain words: name, tags, flags, errors, failure.

    ``show_ids`` puts the id beside the name (``Orders [6571…]``), whole, so it can be pasted into a command.
    """
    parts = [_shorten(item.label, name_limit) if item.kind != "errors" else "Errors"]
    if item.key.startswith("stepconnection:"):
        parts[0] = f"connection {parts[0]}"
    if show_ids and item.id and item.label != item.id:
        parts[0] += f" [{item.id}]"
    parts += list(item.tags)
    parts += sorted(flag.replace("_", " ") for flag in item.flags if flag != "integration_app")
    if item.open_errors is not None:
        parts.append(f"{item.open_errors:,} open error" + ("" if item.open_errors == 1 else "s"))
    if item.failure is not None:
        summary = _shorten(item.failure.summary, 2 * name_limit)
        parts.append(("locked: " if item.locked else "failed: ") + summary)
    return " · ".join(part for part in parts if part)
