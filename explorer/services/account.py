"""Loading an account's resource tree with few round trips: the explorer's tree and ``iox tree`` both use it.

Why one module: what the user sees first must come fast and must not hammer the API, and the TUI and the CLI
must agree on it. The rules kept here:

* the root level is ``tokenInfo`` + the integrations list + the flows list + the connections list, fetched
  concurrently (``asyncio.gather``); flows are grouped by ``_integrationId`` here, never fetched per
  integration;
* open-error badges come from the summary endpoints (one per integration, one per standalone flow), with
  bounded concurrency, yielded as they arrive so a screen can fill them in progressively;
* step names come from the exports and imports lists, loaded once (one shared task) — never one GET per step;
* a failed list or summary is a :class:`Failure` value, so one ``403`` locks one node instead of breaking the
  tree; only a failed ``tokenInfo`` (usually a 401) fails the whole root.

The tree itself is :class:`TreeItem` values built by the pure functions of ``account_items`` (re-exported
here), so a test or the CLI can print it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from explorer.client import ApiError, IntegratorClient
from explorer.model import Connection, Flow, Integration, StepErrorCount, TokenInfo
from explorer.services.account_items import (
    CONNECTIONS_KEY,
    LOCKED_TEXT,
    STANDALONE_KEY,
    Failure,
    ItemKind,
    StepCatalog,
    StepInfo,
    TreeItem,
    connection_item,
    connections_item,
    describe_item,
    describe_steps,
    errors_item,
    flow_children,
    flow_item,
    format_tree,
    integration_item,
    notice_item,
    standalone_item,
    step_connection_items,
    step_item,
)

__all__ = [
    "CONNECTIONS_KEY", "LOCKED_TEXT", "STANDALONE_KEY", "AccountRoot", "AccountService", "BadgeResult",
    "Failure", "ItemKind", "StepCatalog", "StepInfo", "TreeItem", "connection_item", "connections_item",
    "describe_item", "describe_steps", "errors_item", "flow_children", "flow_item", "format_tree",
    "integration_item", "load_tree", "missing_parts", "notice_item", "root_items", "standalone_item",
    "step_connection_items", "step_item",
]

T = TypeVar("T")


async def _attempt(awaitable: Awaitable[T]) -> T | Failure:
    """The result of an API call, or its failure as a value (other exceptions are bugs and propagate)."""
    try:
        return await awaitable
    except ApiError as exc:
        return Failure.from_error(exc)


# --------------------------------------------------------------------------------------------- root
@dataclass
class AccountRoot:
    """Everything the first screen needs, from four concurrent requests.

    ``flows_by_integration`` also holds integrations that are not in the integrations list (their flows were
    listed, the integration was not — e.g. a narrow token); ``integration_order`` lists listed ones first.
    """

    token: TokenInfo
    integrations: list[Integration]
    flows: list[Flow]
    connections: list[Connection]
    integrations_failure: Failure | None = None
    flows_failure: Failure | None = None
    connections_failure: Failure | None = None
    flows_by_integration: dict[str, list[Flow]] = field(default_factory=dict)
    standalone_flows: list[Flow] = field(default_factory=list)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Flow]] = {integration.id: [] for integration in self.integrations}
        standalone: list[Flow] = []
        for flow in self.flows:
            if flow.integration_id:
                grouped.setdefault(flow.integration_id, []).append(flow)
            else:
                standalone.append(flow)
        self.flows_by_integration = grouped
        self.standalone_flows = standalone

    @property
    def integration_by_id(self) -> dict[str, Integration]:
        """Listed integrations by id."""
        return {integration.id: integration for integration in self.integrations}

    @property
    def unlisted_integration_ids(self) -> list[str]:
        """Integrations that own listed flows but were not in the integrations list."""
        listed = self.integration_by_id
        return [iid for iid in self.flows_by_integration if iid not in listed]

    def flow(self, flow_id: str) -> Flow | None:
        """A listed flow by id."""
        return next((flow for flow in self.flows if flow.id == flow_id), None)


# --------------------------------------------------------------------------------------------- badges
@dataclass(frozen=True)
class BadgeResult:
    """Open-error counts from one summary request: an integration's per-flow counts, or a flow's per-step.

    ``total`` is None when the request failed (``failure`` says why).
    """

    kind: Literal["integration", "flow"]
    id: str
    total: int | None
    counts: dict[str, int] = field(default_factory=dict)
    failure: Failure | None = None


def root_items(root: AccountRoot, badges: dict[str, int | None] | None = None) -> list[TreeItem]:
    """The top level: integrations (listed, then unlisted owners of flows), standalone flows, connections.

    ``badges`` maps integration ids (and ``STANDALONE_KEY``) to open-error totals when already known.
    """
    badges = badges or {}
    items: list[TreeItem] = []
    listed = root.integration_by_id
    for integration in root.integrations:
        flows = root.flows_by_integration.get(integration.id, [])
        items.append(integration_item(integration, integration.id, flows, badges.get(integration.id)))
    for integration_id in root.unlisted_integration_ids:
        items.append(integration_item(listed.get(integration_id), integration_id,
                                      root.flows_by_integration[integration_id], badges.get(integration_id),
                                      list_failed=root.integrations_failure is not None))
    if root.standalone_flows:
        items.append(standalone_item(root.standalone_flows, badges.get(STANDALONE_KEY)))
    items.append(connections_item(root.connections, root.connections_failure, root.token))
    return items


# --------------------------------------------------------------------------------------------- service
class AccountService:
    """Loads and caches what the tree shows; one instance per client (per app or CLI run).

    ``concurrency`` bounds the summary requests started at once (the client bounds requests in flight too).
    Caches (root, badges, step counts, catalog) are plain attributes the palette and the token panel read.
    """

    def __init__(self, client: IntegratorClient, *, concurrency: int = 32) -> None:
        self.client = client
        self.concurrency = concurrency
        self.root: AccountRoot | None = None
        self.flow_errors: dict[str, int] = {}
        self.integration_errors: dict[str, int] = {}
        self.step_errors: dict[str, dict[str, int]] = {}
        self.catalog_loaded: StepCatalog | None = None
        self.badge_failures: dict[str, Failure] = {}
        """Summaries that failed, by ``integration:<id>`` / ``flow:<id>`` (their badges are unknown)."""
        self._catalog_task: asyncio.Task[StepCatalog] | None = None
        self._root_task: asyncio.Task[AccountRoot] | None = None

    # ----------------------------------------------------------------------------------------- root
    def prefetch_root(self) -> None:
        """Start loading the root now (while the first screen is built); ``load_root`` collects it."""
        if self._root_task is None:
            self._root_task = asyncio.get_running_loop().create_task(self._load_root())

    async def load_root(self) -> AccountRoot:
        """tokenInfo, integrations, flows and connections in one concurrent round trip.

        Raises the ``ApiError`` of ``tokenInfo`` (a 401 means nothing else can work); a failed list becomes
        that list's ``*_failure``. A load started by ``prefetch_root`` is collected instead of starting anew.
        """
        task, self._root_task = self._root_task, None
        if task is not None:
            return await task
        return await self._load_root()

    async def _load_root(self) -> AccountRoot:
        token, integrations, flows, connections = await asyncio.gather(
            self.client.token_info(),
            _attempt(self.client.list_integrations()),
            _attempt(self.client.list_flows()),
            _attempt(self.client.list_connections()),
            return_exceptions=True,
        )
        if isinstance(token, BaseException):
            raise token
        for value in (integrations, flows, connections):
            if isinstance(value, BaseException):
                raise value
        assert isinstance(token, TokenInfo)
        root = AccountRoot(
            token=token,
            integrations=integrations if isinstance(integrations, list) else [],
            flows=flows if isinstance(flows, list) else [],
            connections=connections if isinstance(connections, list) else [],
            integrations_failure=integrations if isinstance(integrations, Failure) else None,
            flows_failure=flows if isinstance(flows, Failure) else None,
            connections_failure=connections if isinstance(connections, Failure) else None,
        )
        self.root = root
        return root

    # ----------------------------------------------------------------------------------------- badges
    async def iter_badges(self, root: AccountRoot) -> AsyncIterator[BadgeResult]:
        """Open-error counts for every integration and standalone flow, yielded as each summary arrives.

        One request per integration (``/integrations/{id}/errors``) and per standalone flow
        (``/flows/{id}/errors``), at most ``concurrency`` at once. Results also land in the caches.
        """
        gate = asyncio.Semaphore(self.concurrency)

        async def integration(integration_id: str) -> BadgeResult:
            async with gate:
                result = await _attempt(self.client.integration_error_summary(integration_id))
            if isinstance(result, Failure):
                return BadgeResult("integration", integration_id, None, failure=result)
            counts = {entry.flow_id: entry.num_error for entry in result}
            return BadgeResult("integration", integration_id, sum(counts.values()), counts)

        async def flow(flow_id: str) -> BadgeResult:
            async with gate:
                result = await _attempt(self.client.flow_error_summary(flow_id))
            if isinstance(result, Failure):
                return BadgeResult("flow", flow_id, None, failure=result)
            counts = _step_counts(result)
            return BadgeResult("flow", flow_id, sum(counts.values()), counts)

        jobs: list[Awaitable[BadgeResult]] = [integration(iid) for iid in root.flows_by_integration]
        jobs += [flow(f.id) for f in root.standalone_flows]
        # Tasks start in tree order and report through a queue (not asyncio.as_completed, whose set makes
        # the request order vary run to run), so the HTTP log and the tests see a stable order.
        done: asyncio.Queue[asyncio.Task[BadgeResult]] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        tasks = [loop.create_task(_awaited(job)) for job in jobs]
        for task in tasks:
            task.add_done_callback(done.put_nowait)
        try:
            for _ in tasks:
                badge = (await done.get()).result()
                self._remember(badge, root)
                yield badge
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _remember(self, badge: BadgeResult, root: AccountRoot) -> None:
        key = f"{badge.kind}:{badge.id}"
        if badge.total is None:
            if badge.failure is not None and not badge.failure.locked:
                self.badge_failures[key] = badge.failure
            return
        self.badge_failures.pop(key, None)
        if badge.kind == "integration":
            self.integration_errors[badge.id] = badge.total
            for flow in root.flows_by_integration.get(badge.id, []):
                self.flow_errors[flow.id] = badge.counts.get(flow.id, 0)
        else:
            self.flow_errors[badge.id] = badge.total
            self.step_errors[badge.id] = dict(badge.counts)

    async def load_badges(self, root: AccountRoot) -> list[BadgeResult]:
        """Every badge (see ``iter_badges``), in completion order."""
        return [badge async for badge in self.iter_badges(root)]

    def standalone_total(self, root: AccountRoot) -> int | None:
        """Open errors over all standalone flows, once every one of them is known."""
        counts = [self.flow_errors.get(flow.id) for flow in root.standalone_flows]
        return None if any(c is None for c in counts) else sum(c or 0 for c in counts)

    # ----------------------------------------------------------------------------------------- catalog
    def start_catalog(self) -> asyncio.Task[StepCatalog]:
        """Start loading the exports and imports lists (once); later calls share the same task.

        A catalog whose lists failed is loaded again by the next call (``r`` on a flow retries it).
        """
        loaded = self.catalog_loaded
        if self._catalog_task is not None and self._catalog_task.done() and loaded is not None \
                and (loaded.exports_failure is not None or loaded.imports_failure is not None):
            self._catalog_task = None
        if self._catalog_task is None:
            self._catalog_task = asyncio.get_running_loop().create_task(self._load_catalog())
        return self._catalog_task

    async def catalog(self) -> StepCatalog:
        """The step catalog, waiting for the shared load; a cancelled caller does not cancel the load."""
        return await asyncio.shield(self.start_catalog())

    async def _load_catalog(self) -> StepCatalog:
        exports, imports = await asyncio.gather(_attempt(self.client.list_exports()),
                                                _attempt(self.client.list_imports()))
        catalog = StepCatalog(
            exports={e.id: e for e in exports} if isinstance(exports, list) else {},
            imports={i.id: i for i in imports} if isinstance(imports, list) else {},
            exports_failure=exports if isinstance(exports, Failure) else None,
            imports_failure=imports if isinstance(imports, Failure) else None,
        )
        self.catalog_loaded = catalog
        return catalog

    # ----------------------------------------------------------------------------------------- flows & steps
    async def step_counts(self, flow_id: str) -> dict[str, int]:
        """Open errors per step of one flow (one request); raises ``ApiError``."""
        counts = _step_counts(await self.client.flow_error_summary(flow_id))
        self.step_errors[flow_id] = counts
        self.flow_errors[flow_id] = sum(counts.values())
        return counts

    def _connections(self) -> dict[str, Connection]:
        return {c.id: c for c in self.root.connections} if self.root is not None else {}

    def steps(self, flow: Flow) -> list[StepInfo]:
        """The flow's steps from what is cached (counts and names may still be unknown)."""
        return describe_steps(flow, self.step_errors.get(flow.id), self.catalog_loaded,
                              self.root.token if self.root is not None else None, self._connections())

    async def load_steps(self, flow: Flow) -> list[StepInfo]:
        """The flow's steps with counts (one summary request) and names (the shared catalog)."""
        counts, catalog = await asyncio.gather(self.step_counts(flow.id), self.catalog())
        return describe_steps(flow, counts, catalog, self.root.token if self.root is not None else None,
                              self._connections())

    # ----------------------------------------------------------------------------------------- refresh
    async def document(self, path: str) -> Any:
        """A resource document fresh from the server (``flows/<id>`` ...), for the JSON pane."""
        return await self.client.get_json(path)

    async def refresh_integration(self, integration_id: str) -> tuple[Integration, list[Flow], int]:
        """An integration, its flows and its open-error counts again (three concurrent requests)."""
        integration, flows, summary = await asyncio.gather(
            self.client.get_integration(integration_id), self.client.list_flows(integration_id),
            self.client.integration_error_summary(integration_id))
        counts = {entry.flow_id: entry.num_error for entry in summary}
        for flow in flows:
            self.flow_errors[flow.id] = counts.get(flow.id, 0)
            self.step_errors.pop(flow.id, None)
        total = sum(counts.values())
        self.integration_errors[integration_id] = total
        if self.root is not None:
            others = [f for f in self.root.flows if f.integration_id != integration_id]
            listed = [i if i.id != integration_id else integration for i in self.root.integrations]
            self.root.integrations = listed
            self.root.flows = others + flows
            self.root.__post_init__()
        return integration, flows, total

    async def refresh_flow(self, flow_id: str) -> tuple[Flow, list[StepInfo]]:
        """A flow and its steps again (the flow, its summary, and the catalog if not loaded yet)."""
        flow, _counts = await asyncio.gather(self.client.get_flow(flow_id), self.step_counts(flow_id))
        if self.root is not None:
            self.root.flows = [flow if f.id == flow_id else f for f in self.root.flows]
            self.root.__post_init__()
        return flow, await self.load_steps(flow)

    async def refresh_connections(self) -> list[Connection]:
        """The connections list again."""
        connections = await self.client.list_connections()
        if self.root is not None:
            self.root.connections = connections
            self.root.connections_failure = None
        return connections

    def forget(self) -> None:
        """Drop every cache (``ctrl+r``): the next loads ask the server again."""
        if self._root_task is not None and not self._root_task.done():
            self._root_task.cancel()
        self._root_task = None
        if self._catalog_task is not None and not self._catalog_task.done():
            self._catalog_task.cancel()
        self._catalog_task = None
        self.catalog_loaded = None
        self.root = None
        self.flow_errors.clear()
        self.integration_errors.clear()
        self.step_errors.clear()
        self.badge_failures.clear()

    async def aclose(self) -> None:
        """Stop loads still running (the client is closed by its owner)."""
        for task in (self._catalog_task, self._root_task):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _step_counts(entries: Iterable[StepErrorCount]) -> dict[str, int]:
    return {entry.step_id: entry.num_error for entry in entries}


# ------------------------------------------------------------------------------------------ what is missing
def missing_parts(service: AccountService, items: Iterable[TreeItem] = ()) -> list[str]:
    """What could not be loaded (after retries), in words: the lists, the catalog, summaries, step counts.

    Locked parts (403, outside the token's scope) are not missing: the token may not see them. ``iox tree``
    prints these on stderr and exits 1, so a partial tree is never mistaken for the whole account.
    """
    missing: list[str] = []
    root = service.root
    if root is not None:
        for what, failure, effect in (
                ("integrations list", root.integrations_failure, "integrations show their ids"),
                ("flows list", root.flows_failure, "flows are missing"),
                ("connections list", root.connections_failure, "connections are missing")):
            if failure is not None and not failure.locked:
                missing.append(f"the {what} could not be loaded ({failure.summary}): {effect}")
    catalog = service.catalog_loaded
    if catalog is not None:
        for what, failure in (("exports", catalog.exports_failure), ("imports", catalog.imports_failure)):
            if failure is not None and not failure.locked:
                missing.append(f"the {what} list could not be loaded ({failure.summary}): "
                               f"{what[:-1]} steps show their ids")
    for key, failure in sorted(service.badge_failures.items()):
        kind, _, item_id = key.partition(":")
        missing.append(f"open errors of {kind} {item_id} could not be loaded ({failure.summary})")
    stack = list(items)
    while stack:
        item = stack.pop(0)
        if item.kind == "flow" and item.failure is not None and not item.failure.locked:
            missing.append(f"the steps of flow {item.label} ({item.id}) could not be loaded "
                           f"({item.failure.summary})")
        stack.extend(item.children or ())
    return missing


# --------------------------------------------------------------------------------------------- whole tree
async def load_tree(service: AccountService, *, steps: bool = True) -> list[TreeItem]:
    """The whole account tree, badges included (for ``iox tree``): root, summaries, catalog, step counts.

    Requests: 4 for the root, one summary per integration and standalone flow, 2 for the catalog and, with
    ``steps``, one step summary per flow that its integration's summary shows with open errors (the others
    have 0 on every step; standalone flows reuse their badge's summary): 572 requests on the large account
    became ~140. Bounded by the service's concurrency, never one per step.
    """
    root = await service.load_root()
    service.start_catalog()
    await service.load_badges(root)
    badges: dict[str, int | None] = {iid: service.integration_errors.get(iid)
                                     for iid in root.flows_by_integration}
    badges[STANDALONE_KEY] = service.standalone_total(root)
    items = root_items(root, badges)
    if not steps:
        return items
    catalog = await service.catalog()
    gate = asyncio.Semaphore(service.concurrency)

    async def fill(item: TreeItem) -> None:
        flow = root.flow(item.id)
        if flow is None:
            return
        counts: dict[str, int] | Failure
        if flow.id in service.step_errors:  # a standalone flow: its badge was this very summary
            counts = service.step_errors[flow.id]
        elif service.flow_errors.get(flow.id) == 0:  # its integration's summary says: no open errors
            counts = {}
        else:
            async with gate:
                counts = await _attempt(service.step_counts(flow.id))
        if isinstance(counts, Failure):
            item.failure = counts
            return
        infos = describe_steps(flow, counts, catalog, root.token, {c.id: c for c in root.connections})
        item.children = [step_item(info) for info in infos]
        item.open_errors = sum(counts.values())

    flow_items = [child for item in items for child in item.children or () if child.kind == "flow"]
    for item in items:
        for child in item.children or ():
            if child.kind == "flow":
                child.open_errors = service.flow_errors.get(child.id)
    await asyncio.gather(*(fill(item) for item in flow_items))
    return items
