"""Flow and step arguments that take a name as well as an id (``iox errors "Shopify Orders" "Create Net…"``).

Names match exactly, else as a unique case-insensitive prefix.

Why a wrapper around every handler: the commands that take ``FLOW`` (and ``STEP``) are many; resolving the
names before the handler runs keeps each of them about its job, and an id costs no request at all. A name
costs one list of flows (and, for a step, the flow and its steps' documents). A name that matches nothing or
several things is a usage error (exit 2) whose message lists the candidates with their ids.
"""

from __future__ import annotations

import argparse
import asyncio

from explorer.client import ApiError, IntegratorClient
from explorer.commands.common import CommandContext, Handler, UsageError
from explorer.services.name_lookup import NameAmbiguous, Named, NameNotFound, looks_like_id, pick


async def flow_id_for(api: IntegratorClient, text: str) -> str:
    """The id of the flow ``text`` names (an id is returned as it is, without a request)."""
    if looks_like_id(text):
        return text
    flows = await api.list_flows()
    return _pick(text, [Named(flow.id, flow.name) for flow in flows], "flow").id


async def step_id_for(api: IntegratorClient, flow_id: str, text: str) -> str:
    """The id of the step of ``flow_id`` that ``text`` names (its export's or import's name)."""
    if looks_like_id(text):
        return text
    flow = await api.get_flow(flow_id)
    steps = flow.steps()

    async def named(step_id: str, kind: str) -> Named:
        try:
            doc = await (api.get_export(step_id) if kind in ("export", "lookup") else api.get_import(step_id))
        except ApiError:  # out of scope or gone: still addressable by its id
            return Named(step_id, "")
        return Named(step_id, doc.name)

    candidates = await asyncio.gather(*(named(step.step_id, step.kind) for step in steps))
    return _pick(text, candidates, "step").id


def _pick(text: str, candidates: list[Named], what: str) -> Named:
    try:
        return pick(text, candidates, what)
    except (NameNotFound, NameAmbiguous) as error:
        raise UsageError(str(error)) from None


def accepting_names(handler: Handler) -> Handler:
    """``handler`` with ``args.flow`` and ``args.step`` (when present) turned from names into ids first."""

    async def run(ctx: CommandContext, args: argparse.Namespace) -> int:
        flow = getattr(args, "flow", None)
        if isinstance(flow, str) and ctx.client is not None:
            args.flow = await flow_id_for(ctx.api, flow)
            step = getattr(args, "step", None)
            if isinstance(step, str):
                args.step = await step_id_for(ctx.api, args.flow, step)
        return await handler(ctx, args)

    run.__doc__ = handler.__doc__
    return run
