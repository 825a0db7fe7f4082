"""The non-interactive commands of ``iox``, one module per group.

Why a package apart from ``cli.py``: the composition root decides which server and token; each group here
only says what its commands do, with an already-built client, and prints through ``output``. Nothing here
imports Textual or the simulator.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from explorer.commands import account, bulk, documents, errors, jobs, profiles


class CommandGroup(Protocol):
    """A module that adds its sub-commands to the parser."""

    def register(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add the group's sub-commands."""
        ...


COMMAND_GROUPS: tuple[CommandGroup, ...] = (profiles, account, documents, errors, bulk, jobs)
"""Every command group, in the order ``iox --help`` lists them."""
