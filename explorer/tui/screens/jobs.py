"""A flow's jobs: latest and history with status, counts and duration; children on expand; ``R`` runs it.

Why its own screen (the flow's Jobs node opens it): "did last night's run fail, and where?" is the first
question of error triage. Jobs page differently from everything else — ``GET /v1/flows/{id}/jobs/latest``
for the newest, then ``GET /v1/jobs`` (≤1001, newest first) narrowed with ``createdAt_lte`` for older ones —
and child (export/import) jobs are read only when a job is expanded. ``R`` starts a run (after a confirm;
not offered in read-only sessions, where the client would refuse the POST anyway) and follows the new job
until it ends, then reloads the list and tells the caller so it can refresh the flow's error badges.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, Tree
from textual.widgets.tree import TreeNode

from explorer.client import Abandoned, ApiError, IntegratorClient
from explorer.model import Job
from explorer.services.flow_run import disabled_flow_refusal
from explorer.tui.literal import one_line
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from explorer.tui.stop_waiting import StopsWaiting, scoped
from explorer.tui.widgets.errors_table import format_time
from explorer.tui.widgets.wait_status import WaitStatus

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATUS_STYLES: dict[str, str] = {
    "completed": "green", "failed": "bold red", "canceled": "yellow", "canceling": "yellow",
    "running": "bold cyan", "queued": "cyan", "retrying": "cyan",
}


def created(job: Job) -> datetime:
    """When a job was created (or started), for ordering; unknown sorts oldest."""
    return job.created_at or job.started_at or _EPOCH


def job_duration(job: Job) -> str:
    """``12.3 s`` / ``4 min 05 s`` for a finished job; "" while it runs (no wall clock on screen)."""
    if job.started_at is None or job.ended_at is None:
        return ""
    seconds = max(0.0, (job.ended_at - job.started_at).total_seconds())
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def job_label(job: Job, names: Mapping[str, str] | None = None) -> Text:
    """One tree line: status, created, type (or the step's name), duration, ✓ success ✗ error ⊘ ignore."""
    status = job.status or "?"
    text = Text()
    text.append(f"{status:<10}", style=STATUS_STYLES.get(status, ""))
    text.append(f" {format_time(job.created_at or job.started_at):<19} ")
    what = job.type or "job"
    if job.resource_id and names and job.resource_id in names:
        what = f"{what}: {one_line(names[job.resource_id])}"
    text.append(f"{what:<12.40}")
    text.append(f" {job_duration(job):>10}")
    text.append(f"  ✓ {job.num_success:<6}", style="green")
    text.append(f"✗ {job.num_error:<5}", style="red" if job.num_error else "")
    text.append(f"⊘ {job.num_ignore:<4}", style="dim")
    text.append(f" {job.id}", style="dim")
    return text


class JobsScreen(StopsWaiting, Screen[None]):
    """Jobs of one flow, newest first. ``enter``/click expands a job's children."""

    DEFAULT_CSS = """
    JobsScreen > #jobs-title { height: 1; padding: 0 1; background: $primary-muted; text-style: bold;
                               width: 1fr; }
    JobsScreen > Tree { height: 1fr; }
    JobsScreen > #jobs-status { height: 1; background: $panel; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "run", "Run now", id="jobs.run"),
        Binding("m", "more", "Older jobs", id="jobs.more"),
        Binding("ctrl+r", "refresh", "Refresh", id="jobs.refresh"),
        Binding("escape", "close", "Back", id="jobs.close"),
    ]

    def __init__(self, client: IntegratorClient, flow_id: str, *, flow_name: str = "",
                 read_only: bool = False, step_names: Mapping[str, str] | None = None,
                 poll_interval: float = 2.0, follow_timeout: float = 600.0,
                 on_changed: Callable[[], None] | None = None, run_now: bool = False,
                 flow_disabled: bool = False) -> None:
        """``step_names`` (export/import id → name) label child jobs; ``on_changed`` runs after a run ends;
        ``run_now`` asks "run this flow now?" at once (``R`` on a flow node opens the screen that way)."""
        super().__init__()
        self.client = client
        self.flow_id = flow_id
        self.flow_name = flow_name or flow_id
        self.read_only = read_only
        self.step_names = dict(step_names or {})
        self.poll_interval = poll_interval
        self.follow_timeout = follow_timeout
        self.on_changed = on_changed
        self.jobs: list[Job] = []
        self.followed: Job | None = None
        self.exhausted = False
        self.run_now = run_now
        self.flow_disabled = flow_disabled
        """A disabled flow cannot run: ``R`` says so instead of sending a run the server refuses."""
        self._unloaded: set[int] = set()
        """Tree nodes (ids) whose child jobs did not load: expanding them again retries."""

    def compose(self) -> ComposeResult:
        mode = " · READ-ONLY" if self.read_only else ""
        yield Label(Text("Jobs · ") + Text(one_line(self.flow_name)) + Text(mode), id="jobs-title")
        tree: Tree[Job] = Tree("jobs", id="jobs-tree")
        tree.show_root = False
        yield tree
        yield Static(Text("loading…"), id="jobs-status")
        yield Footer()
        yield WaitStatus()

    @property
    def job_tree(self) -> Tree[Job]:
        """The job tree."""
        return self.query_one("#jobs-tree", Tree)

    def say(self, text: str) -> None:
        """Status line (literal text)."""
        self.query_one("#jobs-status", Static).update(Text(one_line(text)))

    def on_mount(self) -> None:
        self.job_tree.focus()
        self.load()
        if self.run_now and not self.read_only:
            self.action_run()

    # -- loading ------------------------------------------------------------------------------------

    @work(exclusive=True, group="jobs")
    @scoped
    async def load(self) -> None:
        """Latest jobs (with children) plus the newest page of history, merged by id."""
        try:
            latest = await self.client.latest_jobs(self.flow_id)
            history = await self.client.list_jobs(_flowId=self.flow_id)
        except ApiError as exc:
            self.say(f"could not load the jobs: {exc} · ctrl+r retries")
            return
        merged: dict[str, Job] = {job.id: job for job in history}
        merged.update({job.id: job for job in latest})  # latest carries the children
        self.jobs = sorted(merged.values(), key=created, reverse=True)
        self.exhausted = len(history) < 1001
        self._show()

    def _show(self) -> None:
        tree = self.job_tree
        tree.clear()
        for job in self.jobs:
            self._add(tree.root, job)
        if self.jobs:
            tree.cursor_line = 0
        self._status()

    def _add(self, parent: TreeNode[Job], job: Job) -> None:
        expandable = job.type == "flow"  # retry jobs have no export/import children
        label = job_label(job, self.step_names)
        if not expandable:
            label = Text("  ") + label  # line up with the ▶ of expandable siblings
        node = parent.add(label, data=job, allow_expand=expandable)
        for child in job.children:
            node.add_leaf(job_label(child, self.step_names), data=child)

    def _status(self) -> None:
        words = f"{len(self.jobs)} job{'s' if len(self.jobs) != 1 else ''}"
        if not self.exhausted:
            words += " · m: older"
        if self.followed is not None:
            job = self.followed
            words += f" · run {job.id}: {job.status} ✓ {job.num_success} ✗ {job.num_error}"
        self.say(words)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[Job]) -> None:
        node, job = event.node, event.node.data
        if node.id in self._unloaded:  # its children failed to load (or esc stopped them): ask again
            self._unloaded.discard(node.id)
            node.remove_children()
        if job is not None and not node.children:
            self._load_children(node, job)

    @work(group="children", description="load child jobs")
    @scoped
    async def _load_children(self, node: TreeNode[Job], job: Job) -> None:
        try:
            children = (await self.client.job_family(job.id)).children
        except ApiError as exc:
            node.add_leaf(Text(f"could not load the child jobs: {one_line(str(exc))} · enter retries"))
            self._unloaded.add(node.id)
            return
        if not children:
            node.add_leaf(Text("no child jobs", style="dim"))
        for child in sorted(children, key=created):
            node.add_leaf(job_label(child, self.step_names), data=child)

    def action_more(self) -> None:
        """Load older jobs (``createdAt_lte`` just before the oldest shown)."""
        if not self.exhausted:
            self._load_older()

    @work(exclusive=True, group="jobs")
    @scoped
    async def _load_older(self) -> None:
        oldest = next((job.created_at for job in reversed(self.jobs) if job.created_at is not None), None)
        if oldest is None:
            return
        try:
            older = await self.client.list_jobs(_flowId=self.flow_id,
                                                createdAt_lte=oldest - timedelta(milliseconds=1))
        except ApiError as exc:
            self.say(f"could not load older jobs: {exc} · m retries")
            return
        known = {job.id for job in self.jobs}
        fresh = [job for job in older if job.id not in known]
        self.jobs += sorted(fresh, key=created, reverse=True)
        self.exhausted = len(older) < 1001
        for job in fresh:
            self._add(self.job_tree.root, job)
        self._status()

    def action_refresh(self) -> None:
        """Reload the jobs."""
        self.load()

    def action_close(self) -> None:
        """Back to the tree."""
        self.dismiss(None)

    # -- run ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No ``R`` in read-only sessions (every mutating key is hidden there)."""
        return not (action == "run" and self.read_only)

    def action_run(self) -> None:
        """Run the flow now (asks first), then follow the new job until it ends."""
        if self.read_only:
            return
        if self.flow_disabled:
            self.notify(disabled_flow_refusal(self.flow_name or self.flow_id), title="Flow disabled",
                        severity="warning", markup=False)
            return
        lines: list[str | Text] = [Text("Run ") + Text(one_line(self.flow_name)) + Text(" now?"),
                                   "A new flow job starts; this screen follows it until it ends."]

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._run()

        self.app.push_screen(ConfirmBulkDialog("Run this flow now?", lines, "run"), confirmed)

    @work(exclusive=True, group="run")
    @scoped
    async def _run(self) -> None:
        try:
            job_id = await self.client.run_flow(self.flow_id)
        except Abandoned:  # esc while the POST went unanswered: the run may have started
            self.say("stopped waiting for the run request: the flow may or may not have started · "
                     "ctrl+r shows the jobs")
            return
        except ApiError as exc:
            self.say(f"run refused: {exc}")
            self.notify(str(exc), title="Run failed", severity="error", markup=False)
            return
        self.followed = Job(id=job_id, type="flow", status="queued", flow_id=self.flow_id)
        self._status()
        waited = 0.0
        while not self.followed.finished and waited < self.follow_timeout:
            await asyncio.sleep(self.poll_interval)
            waited += self.poll_interval
            try:
                self.followed = await self.client.get_job(job_id)
            except ApiError as exc:
                self.say(f"could not follow job {job_id}: {exc}")
                return
            self._status()
        self.load()
        if self.followed.finished:
            job = self.followed
            self.notify(f"Run {job.status}: ✓ {job.num_success} ✗ {job.num_error}", markup=False)
            if self.on_changed is not None:
                self.on_changed()

