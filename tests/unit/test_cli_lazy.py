"""Command groups are imported only when one of their commands runs, and the table that names them is true.

Why: ``iox`` (the TUI) and ``iox tree`` should not pay for importing every command group at start-up
(issue 10); the price is a table of names in ``explorer.commands`` that must agree with each ``register``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable

import pytest

from explorer.cli import build_parser, command_word
from explorer.commands import COMMAND_GROUPS, LazyGroup, group_of


def _listing(add: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], object]) -> str:
    """The help a parser prints once ``add`` has added its sub-commands (wide: one line per command)."""
    parser = argparse.ArgumentParser(prog="iox", formatter_class=lambda prog: argparse.HelpFormatter(
        prog, max_help_position=60, width=400))
    add(parser.add_subparsers(dest="command"))
    return parser.format_help()


@pytest.mark.parametrize("group", COMMAND_GROUPS, ids=lambda group: group.module)
def test_the_table_names_every_command_with_its_registered_help(group: LazyGroup) -> None:
    registered = _listing(group.load().register)

    def from_the_table(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        for name, help_text in group.commands.items():
            commands.add_parser(name, help=help_text)

    assert registered == _listing(from_the_table)  # same commands, same order, same help, as --help shows
    for name, help_text in group.commands.items():
        assert f" {name} " in registered and help_text in registered


def test_the_command_word_skips_global_options_and_their_values() -> None:
    parser = build_parser([])
    assert command_word(parser, ["--profile", "tree", "ls", "flows"]) == "ls"
    assert command_word(parser, ["--json", "--latency-ms=5", "errors", "f", "s"]) == "errors"
    assert command_word(parser, ["--demo"]) is None
    assert group_of("retry") is not None and group_of("simulator") is None


def _modules_after(code: str) -> set[str]:
    shown = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                           capture_output=True, text=True, check=True).stdout.split()
    return {name for name in shown if name.startswith("explorer.commands.")}


def test_only_the_running_commands_group_is_imported() -> None:
    groups = {group.module for group in COMMAND_GROUPS}
    assert not _modules_after("from explorer.cli import build_parser\nbuild_parser(['--demo'])") & groups
    loaded = _modules_after("from explorer.cli import build_parser\nbuild_parser(['--demo', 'tree'])")
    assert loaded & groups == {"explorer.commands.account"}


def test_a_lazily_listed_command_still_parses_fully() -> None:
    arguments = ["--demo", "errors", "f", "s", "--limit", "3"]
    args = build_parser(arguments).parse_args(arguments)
    assert (args.command, args.flow, args.step, args.limit) == ("errors", "f", "s", 3)


def test_the_first_frame_does_not_import_the_screens_it_does_not_show() -> None:
    code = "import explorer.cli, explorer.tui.app\nimport sys\nprint(' '.join(sys.modules))"
    shown = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True).stdout.split())
    later = {"explorer.tui.screens.editor", "explorer.tui.screens.errors",
             "explorer.tui.screens.errors_cross",
             "explorer.tui.screens.jobs", "explorer.tui.screens.journal", "explorer.services.writes",
             "explorer.services.bulk", "explorer.tui.widgets.diff_view", "explorer.tui.commands"}
    assert not shown & later
    assert "explorer.tui.screens.main" in shown


def test_start_up_does_not_import_what_the_first_frame_does_not_need() -> None:
    """httpx's own CLI (click, rich.progress, pygments' lexer table) cost ~30 ms of every start-up; the
    TextArea (key bursts import it when a burst comes) and pygments' JSON lexer (the pane colours JSON once a
    document arrives, after the first frame) ~20 ms more."""
    code = ("import explorer.cli, explorer.tui.app\nimport httpx, sys\n"
            "print(' '.join(name for name, module in sys.modules.items() if module is not None))")
    shown = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True).stdout.split())
    assert "httpx" in shown
    assert not shown & {"httpx._main", "click", "rich.progress", "textual.widgets._text_area",
                        "textual.document._document", "pygments.lexers", "pygments.lexers.data",
                        "tomllib", "explorer.services.schema_check", "explorer.tui.screens.field_doc",
                        "explorer.journal"}  # drafts and journal: built when first used (AppContext)
