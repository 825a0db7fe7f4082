"""Open errors across every step of a flow or an integration, for the grouped view (``E`` in the tree).

Why: a broken connection or a bad mapping fails records in several steps at once; triage starts from "which
codes and classifications, how many" and only then goes to one step. The step list comes from the summary
endpoints (one call per flow, concurrently and bounded), so only steps that have open errors are paged.
Pages are yielded as they arrive, with the step they belong to, so the screen fills in progressively; the
grouping itself is ``error_list.group_errors`` over the collected rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from explorer.client import ApiError
from explorer.model import ErrorRecord, Export, Flow, Import, StepErrorCount


@dataclass(frozen=True)
class StepRef:
    """A step with open errors, and the names to show for it."""

    flow_id: str
    step_id: str
    flow_name: str
    step_name: str
    open_errors: int

    @property
    def label(self) -> str:
        """``step (flow)``, as the palette and the step column show it."""
        return f"{self.step_name} ({self.flow_name})"


@dataclass(frozen=True)
class StepFailure:
    """A flow or step whose errors could not be read (shown in the screen; the rest still loads)."""

    flow_id: str
    step_id: str | None
    message: str


class CrossStepClient(Protocol):
    """What the loader needs from ``IntegratorClient``."""

    async def flow_error_summary(self, flow_id: str) -> list[StepErrorCount]: ...

    def iter_errors(self, flow_id: str, step_id: str) -> AsyncIterator[list[ErrorRecord]]: ...

    async def get_export(self, export_id: str) -> Export: ...

    async def get_import(self, import_id: str) -> Import: ...


async def steps_with_errors(client: CrossStepClient, flows: Sequence[Flow], *,
                            step_names: Mapping[str, str] | None = None, concurrency: int = 8
                            ) -> tuple[list[StepRef], list[StepFailure]]:
    """The steps of ``flows`` that have open errors, in flow order then step order, and what failed."""
    gate = asyncio.Semaphore(concurrency)
    names = step_names or {}

    async def summary(flow: Flow) -> list[StepErrorCount] | StepFailure:
        async with gate:
            try:
                return await client.flow_error_summary(flow.id)
            except ApiError as exc:
                return StepFailure(flow.id, None, str(exc))

    answers = await asyncio.gather(*(summary(flow) for flow in flows))
    found: list[StepRef] = []
    failures: list[StepFailure] = []
    for flow, answer in zip(flows, answers, strict=True):
        if isinstance(answer, StepFailure):
            failures.append(answer)
            continue
        counts = {entry.step_id: entry.num_error for entry in answer}
        ordered = [step.step_id for step in flow.steps()]
        ordered += [step_id for step_id in counts if step_id not in ordered]
        for step_id in ordered:
            if counts.get(step_id, 0) > 0:
                found.append(StepRef(flow.id, step_id, flow.label, names.get(step_id, step_id),
                                     counts[step_id]))
    return found, failures


async def name_steps(client: CrossStepClient, flows: Sequence[Flow], steps: Sequence[StepRef], *,
                     concurrency: int = 8) -> list[StepRef]:
    """Fill in the names of steps known only by id (one GET per such step, bounded; failures keep the id).

    Only steps with open errors are named, so this stays a handful of requests even for a big integration.
    """
    kinds = {(flow.id, step.step_id): step.kind for flow in flows for step in flow.steps()}
    gate = asyncio.Semaphore(concurrency)

    async def named(ref: StepRef) -> StepRef:
        if ref.step_name != ref.step_id:
            return ref
        async with gate:
            try:
                if kinds.get((ref.flow_id, ref.step_id)) == "import":
                    resource: Export | Import = await client.get_import(ref.step_id)
                else:
                    resource = await client.get_export(ref.step_id)
            except ApiError:
                return ref
        return replace(ref, step_name=resource.label)

    return list(await asyncio.gather(*(named(ref) for ref in steps)))


async def iter_step_pages(client: CrossStepClient, steps: Sequence[StepRef]
                          ) -> AsyncIterator[tuple[StepRef, list[ErrorRecord] | StepFailure]]:
    """Pages of open errors of each step in turn; a step that fails yields one ``StepFailure``."""
    for step in steps:
        try:
            async for page in client.iter_errors(step.flow_id, step.step_id):
                yield step, page
        except ApiError as exc:
            yield step, StepFailure(step.flow_id, step.step_id, str(exc))
