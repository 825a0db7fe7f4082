"""``iox token``, ``iox ls`` and ``iox tree``: who the token is, and what the account holds.

Why these sit together: they are the read-only overview of an account. ``ls`` is one client call (the client
follows ``Link`` pages) and a table whose JSON form is the documents exactly as the API sent them; ``tree``
is the explorer's own tree, loaded by the shared account service, so the CLI prints what the TUI shows.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.commands.common import EXIT_API, EXIT_OK, CommandContext, UsageError, add_command
from explorer.commands.formatting import text, when, yes_no
from explorer.commands.output import printable
from explorer.model import Connection, Export, Flow, Import, Integration, Resource
from explorer.services.account import AccountService, TreeItem, format_tree, load_tree, missing_parts

NAME_WIDTH = 48
TREE_NAME_WIDTH = 80
"""Characters of a name on an ``iox tree`` line (a 100,000-character name must not print 200 KB)."""


async def run_token(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Show who the token belongs to and what it may reach (``GET /v1/tokenInfo``)."""
    info = await ctx.api.token_info()
    session = ctx.session
    if ctx.out.json_mode:
        ctx.out.data({
            "profile": ctx.profile_name, "base_url": ctx.api.base_url, "read_only": ctx.api.read_only,
            "user_id": info.user_id, "email": info.email, "scope": info.scope,
            "scope_description": info.describe(),
            "connection_ids": info.connection_ids, "export_ids": info.export_ids,
            "import_ids": info.import_ids, "api_ids": info.api_ids, "raw": info.raw,
        })
        return EXIT_OK
    rows: list[tuple[str, str]] = [
        ("profile", ctx.profile_name),
        ("server", ctx.api.base_url),
        ("user", info.user_id or "?"),
    ]
    if info.email:
        rows.append(("email", info.email))
    rows.append(("scope", info.describe()))
    for label, ids in (("connections", info.connection_ids), ("exports", info.export_ids),
                       ("imports", info.import_ids), ("apis", info.api_ids)):
        if ids is not None:
            rows.append((label, ", ".join(ids) or "(none)"))
    rows.append(("read-only", "yes" + (f" ({session.read_only_reason})" if session else "")
                 if ctx.api.read_only else "no"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        ctx.out.line(f"{label.ljust(width)}  {printable(value)}")
    return EXIT_OK


@dataclass(frozen=True)
class Listing:
    """How one kind of resource is listed: its columns and how a document fills them."""

    headers: Sequence[str]
    row: Callable[[Any], Sequence[object]]


LISTINGS: dict[str, Listing] = {
    "integrations": Listing(
        ("ID", "NAME", "SANDBOX", "MODIFIED"),
        lambda i: (i.id, i.name, yes_no(i.sandbox), when(i.last_modified)),
    ),
    "flows": Listing(
        ("ID", "NAME", "INTEGRATION", "STATE", "SCHEDULE", "LAST RUN"),
        lambda f: (f.id, f.name, text(f.integration_id), "disabled" if f.disabled else "enabled",
                   f.schedule_words, when(f.last_executed_at)),
    ),
    "exports": Listing(
        ("ID", "NAME", "ADAPTOR", "TYPE", "CONNECTION"),
        lambda e: (e.id, e.name, text(e.adaptor_type), "lookup" if e.is_lookup else text(e.export_type),
                   text(e.connection_id)),
    ),
    "imports": Listing(
        ("ID", "NAME", "ADAPTOR", "CONNECTION"),
        lambda i: (i.id, i.name, text(i.adaptor_type), text(i.connection_id)),
    ),
    "connections": Listing(
        ("ID", "NAME", "TYPE", "STATUS"),
        lambda c: (c.id, c.name, text(c.type),
                   "-" if c.offline is None else ("offline" if c.offline else "online")),
    ),
}


async def fetch(ctx: CommandContext, kind: str, integration_id: str | None) -> Sequence[Resource]:
    """Every resource of ``kind`` (flows optionally of one integration)."""
    client = ctx.api
    if kind == "integrations":
        integrations: list[Integration] = await client.list_integrations()
        return integrations
    if kind == "flows":
        flows: list[Flow] = await client.list_flows(integration_id)
        return flows
    if kind == "exports":
        exports: list[Export] = await client.list_exports()
        return exports
    if kind == "imports":
        imports: list[Import] = await client.list_imports()
        return imports
    connections: list[Connection] = await client.list_connections()
    return connections


async def run_ls(ctx: CommandContext, args: argparse.Namespace) -> int:
    """List one kind of resource."""
    if args.integration and args.kind != "flows":
        raise UsageError("--integration only applies to `iox ls flows`")
    items = await fetch(ctx, args.kind, args.integration)
    if ctx.out.json_mode:
        ctx.out.data([item.raw for item in items])
        return EXIT_OK
    listing = LISTINGS[args.kind]
    ctx.out.table(listing.headers, [listing.row(item) for item in items], max_widths={1: NAME_WIDTH})
    ctx.out.note(f"{len(items):,} {args.kind if len(items) != 1 else args.kind[:-1]}")
    return EXIT_OK


def tree_json(item: TreeItem) -> dict[str, Any]:
    """A tree node as JSON: what it is, its badges, why it failed, and where to GET its document."""
    return {
        "kind": item.kind, "id": item.id, "name": item.name, "tags": list(item.tags),
        "flags": sorted(item.flags), "open_errors": item.open_errors, "doc_path": item.doc_path,
        "flow_id": item.flow_id, "step_id": item.step_id,
        "failure": item.failure.as_json() if item.failure is not None else None,
        "children": None if item.children is None else [tree_json(child) for child in item.children],
    }


async def run_tree(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Print the whole account as the explorer's tree (integrations, flows, steps, open errors)."""
    service = AccountService(ctx.api)
    ctx.out.progress("loading the account…", force=True)
    try:
        items = await load_tree(service, steps=not args.no_steps)
    finally:
        await service.aclose()
        ctx.out.clear_progress()
    root = service.root
    missing = missing_parts(service, items)
    if ctx.out.json_mode:
        ctx.out.data({
            "profile": ctx.profile_name, "base_url": ctx.api.base_url,
            "user_id": root.token.user_id if root is not None else None,
            "scope": root.token.describe() if root is not None else None,
            "tree": [tree_json(item) for item in items],
            "missing": missing,
        })
        return _report_missing(ctx, missing)
    if root is not None:
        ctx.out.line(printable(f"{ctx.profile_name} · user {root.token.user_id or '?'} · "
                               f"{root.token.describe()}"))
    for line in format_tree(items, name_limit=TREE_NAME_WIDTH, show_ids=args.ids):
        ctx.out.line(printable(line))
    return _report_missing(ctx, missing)


def _report_missing(ctx: CommandContext, missing: list[str]) -> int:
    """Name on stderr what the printed tree lacks; exit 1 then, so a script cannot take it for complete."""
    for part in missing:
        ctx.out.note(printable(f"iox: incomplete: {part}"))
    if missing:
        ctx.out.note("iox: the tree above is incomplete; run the command again (GETs were already retried)")
        return EXIT_API
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``token``, ``ls`` and ``tree``."""
    add_command(commands, "token", handler=run_token, help="show who the token is and what it may reach",
                epilog="example:\n  iox token --profile prod")
    ls = add_command(commands, "ls", handler=run_ls, help="list integrations, flows, exports, imports or "
                     "connections",
                     epilog="examples:\n  iox ls flows\n  iox ls flows --integration 6571ac3f6ced1c1df2da7c39"
                            "\n  iox ls connections --json | jq -r '.[] | select(.offline) | .name'")
    ls.add_argument("kind", choices=sorted(LISTINGS), metavar="KIND",
                    help="integrations, flows, exports, imports or connections")
    ls.add_argument("--integration", metavar="ID", default=None, help="with flows: only this integration's")
    tree = add_command(commands, "tree", handler=run_tree,
                       help="the whole account as a tree: integrations, flows, steps and open errors",
                       epilog="examples:\n  iox tree\n  iox tree --no-steps\n  iox tree --ids\n"
                              "  iox tree --json | jq '.tree[].name'")
    tree.add_argument("--no-steps", action="store_true",
                      help="stop at flows (one request per integration instead of one per flow)")
    tree.add_argument("--ids", action="store_true",
                      help="print each id beside its name, ready to paste into another command")
