"""``iox get`` and ``iox put``: any API document as JSON, and a checked, journaled replacement of one.

Why ``put`` is careful: a PUT replaces the whole document (what it omits is erased) and another user may have
saved since the file was fetched. So ``put`` shows the diff against the server's current document and asks
(unless ``--yes``), refuses a stale base, and records before/after in the journal — through the same writes
service the TUI's editor uses.
"""

from __future__ import annotations

import argparse

from explorer.commands.common import EXIT_OK, CommandContext, add_command
from explorer.commands.output import json_text


async def run_get(ctx: CommandContext, args: argparse.Namespace) -> int:
    """GET any API path and print its JSON (pretty-printed, terminal-safe) on stdout."""
    doc = await ctx.api.get_json(args.path)
    ctx.out.line(json_text(doc))
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``get`` and ``put``."""
    get = add_command(commands, "get", handler=run_get, help="print any API document as JSON",
                      epilog="examples:\n  iox get flows/6571ecd15bc5e3f7c6026ea6\n"
                             "  iox get /v1/connections/6571b82412ab69b81933e9c5 > conn.json\n"
                             "  iox get integrations | jq -r '.[].name'")
    get.add_argument("path", metavar="PATH", help="an API path: flows/ID, /v1/exports/ID, integrations ...")
