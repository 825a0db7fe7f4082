"""``iox schemas``, ``iox schemas update`` and ``iox validate``: Celigo's schemas here, and a check.

Why the schemas are fetched and not shipped: they are Celigo's text. ``update`` fetches them at a pinned
commit (or installs a local copy with ``--from``); ``validate`` checks a file the way the editor does before a
PUT.
Exit codes of ``validate``: 0 no problem, 1 problems found, 2 usage — including "no schemas installed".
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from explorer.commands.common import EXIT_API, EXIT_OK, CommandContext, UsageError, add_command
from explorer.commands.output import printable
from explorer.services import schema_files
from explorer.services.json_cursor import lines_of
from explorer.services.schema_check import SchemaProblem
from explorer.services.schemas import SchemaLibrary, infer_kind

KIND_CHOICES = ("flow", "export", "import", "connection")


async def run_show(ctx: CommandContext, args: argparse.Namespace) -> int:
    """What is installed, where, from which commit."""
    directory = schema_files.schema_dir(ctx.environ)
    found = schema_files.installed(directory)
    if found is None:
        if ctx.out.json_mode:
            ctx.out.data({"installed": False, "directory": str(directory)})
        ctx.out.note(f"iox: no schemas in {printable(directory)}: {schema_files.HOW_TO_GET}")
        return EXIT_OK
    if ctx.out.json_mode:
        ctx.out.data({"installed": True, "directory": str(found.directory), "commit": found.commit,
                      "source": found.source, "installedAt": found.installed_at, "files": found.files})
        return EXIT_OK
    ctx.out.line(f"Celigo's schemas (MIT, © Celigo, Inc.) in {printable(found.directory)}")
    ctx.out.line(f"  commit     {printable(found.commit)}")
    ctx.out.line(f"  from       {printable(found.source)}")
    ctx.out.line(f"  installed  {printable(found.installed_at)}")
    ctx.out.line("  files      " + ", ".join(f"{kind} {count}" for kind, count in found.files.items()))
    return EXIT_OK


async def run_update(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Download the files at the pinned commit (or install ``--from``), with progress."""
    directory = schema_files.schema_dir(ctx.environ)

    def progress(done: int, total: int, path: str) -> None:
        ctx.out.progress(f"iox: schemas {done}/{total} {printable(path.rsplit('/', 1)[-1])}")

    try:
        if args.source:
            result = schema_files.install_from(Path(args.source), directory, progress)
        else:
            ctx.out.note(f"iox: fetching schema files of {schema_files.REPOSITORY} at "
                         f"{schema_files.PINNED_COMMIT[:12]} …")
            result = schema_files.download(directory, progress)
    except schema_files.SchemaInstallError as error:
        ctx.out.clear_progress()
        ctx.out.note(f"iox: schemas not installed: {printable(error)} "
                     "(the previous install, if any, is kept)")
        return EXIT_API
    ctx.out.clear_progress()
    counts = ", ".join(f"{count} {kind}" for kind, count in result.files.items())
    ctx.out.line(f"Installed {sum(result.files.values())} schema files ({counts}) from "
                 f"{printable(result.source)} into {printable(result.directory)}")
    return EXIT_OK


def kind_of(name: str | None, document: Any) -> str:
    """The plural kind from ``--kind`` (singular) or the document; a usage error when it cannot be told."""
    if name:
        return f"{name}s"
    kind = infer_kind(document)
    if kind is None:
        raise UsageError("cannot tell what kind of document this is: "
                         "pass --kind flow|export|import|connection")
    return kind


def format_problem(problem: SchemaProblem, line: int | None) -> str:
    """``line 12: http.auth.type: "tokn" is not one of …`` (``line`` 0-based, when the path was found)."""
    where = f"line {line + 1}: " if line is not None else ""
    return f"{where}{problem.where}: {problem.message}"


async def run_validate(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Check FILE against the schema of its kind; print each problem with its JSON path."""
    library = SchemaLibrary(environ=ctx.environ)
    if not library.available:
        ctx.out.note(f"iox: {library.how_to_get()}")
        return 2
    file = Path(args.file).expanduser()
    try:
        text = ctx.stdin.read() if args.file == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {printable(args.file)}: "
                         f"{getattr(error, 'strerror', None) or type(error).__name__}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        ctx.out.note(f"iox: {printable(args.file)}: not JSON: line {error.lineno}, column {error.colno}: "
                     f"{error.msg}")
        return EXIT_API
    kind = kind_of(args.kind, document)
    problems = library.check(kind, document)
    lines = lines_of(text, [problem.path for problem in problems])
    if ctx.out.json_mode:
        ctx.out.data({"kind": kind, "problems": [
            {"path": p.where, "line": (lines[p.path] or 0) + 1, "code": p.code, "message": p.message}
            for p in problems]})
    else:
        for problem in problems:
            ctx.out.line(printable(format_problem(problem, lines[problem.path])))
        summary = f"{len(problems)} problem(s)" if problems else "no problem"
        ctx.out.note(f"iox: {printable(args.file)} ({kind[:-1]}): {summary} "
                     "against Celigo's published schema")
    return EXIT_API if problems else EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``schemas`` (with ``update``) and ``validate``."""
    schemas = add_command(commands, "schemas", handler=run_show, needs_client=False,
                          help="show the installed Celigo schemas (field docs and checks in the editor)")
    sub = schemas.add_subparsers(dest="schemas_command", metavar="SUBCOMMAND")
    update = add_command(sub, "update", handler=run_update, needs_client=False,
                         help=f"download Celigo's schema files from {schema_files.REPOSITORY} "
                              f"(commit {schema_files.PINNED_COMMIT[:12]}) into the cache")
    update.add_argument("--from", dest="source", metavar="PATH",
                        help="install a local copy instead: a directory of the YAML files, or JSON bundles")
    validate = add_command(
        commands, "validate", handler=run_validate, needs_client=False,
        help="check a JSON file against Celigo's published schema (types, values, required, unknown)",
        epilog="exit codes: 0 no problem, 1 problems found, 2 no schemas installed or bad usage\n"
               "example:\n  iox get connections/ID > c.json && iox validate c.json",
    )
    validate.add_argument("file", metavar="FILE", help="a JSON document; `-` reads stdin")
    validate.add_argument("--kind", choices=KIND_CHOICES, help="what the document is (default: inferred)")
