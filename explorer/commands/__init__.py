"""The non-interactive commands of ``iox``, one module per group, imported only when one of them runs.

Why a package apart from ``cli.py``: the composition root decides which server and token; each group here
only says what its commands do, with an already-built client, and prints through ``output``. Nothing here
imports Textual or the simulator.

Why a table of names instead of imports: ``iox`` without a command starts the TUI, and ``iox tree`` needs one
group only; importing every group (and the services behind them) cost start-up time the user waits through.
``COMMAND_GROUPS`` lists each group's module and its commands' one-line help; ``cli.build_parser`` imports
the module of the command being run and shows the others by name. To add a command: write its module with a
``register(commands)`` function, then add one ``LazyGroup`` line here (``tests/unit/test_cli_lazy.py``
checks that the help here matches what ``register`` says, and that every command is listed).
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from typing import Protocol, cast


class CommandGroup(Protocol):
    """A module that adds its sub-commands to the parser."""

    def register(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add the group's sub-commands."""
        ...


@dataclass(frozen=True)
class LazyGroup:
    """A command group known by its module's name and its commands' help, imported only when needed."""

    module: str
    commands: dict[str, str]
    """Each command's name and one-line help (as ``iox --help`` lists it), in listing order."""

    def load(self) -> CommandGroup:
        """Import the group's module."""
        return cast(CommandGroup, importlib.import_module(self.module))


COMMAND_GROUPS: tuple[LazyGroup, ...] = (
    LazyGroup("explorer.commands.profiles", {
        "login": "check an API token and store it as a profile",
        "profiles": "list the profiles (tokens masked)",
        "logout": "remove a profile and its stored token",
    }),
    LazyGroup("explorer.commands.account", {
        "token": "show who the token is and what it may reach",
        "ls": "list integrations, flows, exports, imports or connections",
        "tree": "the whole account as a tree: integrations, flows, steps and open errors",
    }),
    LazyGroup("explorer.commands.documents", {
        "get": "print any API document as JSON",
        "put": "replace a document with a file's JSON (diff, confirm, stale check, journal)",
    }),
    LazyGroup("explorer.commands.errors", {
        "errors": "list a step's open (or resolved) errors",
    }),
    LazyGroup("explorer.commands.bulk", {
        "retry": "retry a step's errors (all, or by error id) in paced batches of 1000",
        "resolve": "mark a step's errors resolved (all, or by error id)",
    }),
    LazyGroup("explorer.commands.fix", {
        "fix": "patch the retry data of many failed records at once (preview, confirm, journal, retry)",
    }),
    LazyGroup("explorer.commands.jobs", {
        "run": "start a flow run (prints the job id)",
        "jobs": "show a flow's latest job and its step jobs",
    }),
    LazyGroup("explorer.commands.schemas", {
        "schemas": "show the installed Celigo schemas (field docs and checks in the editor)",
        "validate": "check a JSON file against Celigo's published schema (types, values, required, unknown)",
    }),
)
"""Every command group, in the order ``iox --help`` lists them."""


def group_of(command: str) -> LazyGroup | None:
    """The group that holds ``command``, if any."""
    return next((group for group in COMMAND_GROUPS if command in group.commands), None)
