"""The list beside the editor of what needs the user's attention: 422 errors, merge conflicts, warnings.

Rows come in groups, each replaced on its own: the JSON syntax error (while typing), the server's answer (a
422 or merge conflicts, through :meth:`EditProblems.show`) and the checks against Celigo's schemas. ``f8``
walks them all in that order.

Why a list that drives the cursor: a 422 names fields by path (``pageProcessors[1]._importId``) and there may
be several; merge conflicts likewise. Each row carries a path; highlighting or selecting a row asks the
editor (via :class:`EditProblems.Jump`) to put the cursor on that field's line. Every text shown here came
from the server or the document, so it is displayed literally.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from explorer.client import ApiErrorItem
from explorer.services.merge import Conflict
from explorer.tui.literal import one_line, printable


@dataclass(frozen=True)
class Problem:
    """One row: a headline (the field), a detail (code and message) and the path to jump to."""

    title: str
    detail: str
    path: str | None
    kind: str = "error"
    position: tuple[int, int] | None = None
    """0-based line and column to put the cursor on, when already known (else the path is looked up)."""

    @classmethod
    def from_api(cls, item: ApiErrorItem) -> Problem:
        """A 422 entry ``{code, message, field}``."""
        title = item.field or "(no field named)"
        detail = f"{item.code}: {item.message}" if item.code else item.message
        return cls(title, detail, item.field, "error")

    @classmethod
    def from_conflict(cls, conflict: Conflict, describe: str) -> Problem:
        """A merge conflict: the server's value was kept, the user's is in ``describe``."""
        return cls(conflict.label, describe, conflict.label, "conflict")


class EditProblems(OptionList):
    """Rows of :class:`Problem`; posts ``Jump`` when one is highlighted or selected."""

    DEFAULT_CSS = """
    EditProblems {
        width: 44;
        height: 1fr;
        border: round $error;
        border-title-color: $text-error;
    }
    EditProblems.-conflicts { border: round $warning; border-title-color: $text-warning; }
    EditProblems.-warnings { border: round $warning; border-title-color: $text-warning; }
    """

    KIND_STYLE: ClassVar[dict[str, str]] = {"error": "bold red", "conflict": "bold yellow",
                                            "warning": "bold yellow"}
    """Headline style per kind of problem."""

    @dataclass
    class Jump(Message):
        """Put the editor's cursor on the field at ``path`` (None: no field was named)."""

        problems: EditProblems
        index: int
        path: str | None
        position: tuple[int, int] | None = None

    GROUPS: ClassVar[tuple[str, ...]] = ("json", "server", "schema")
    """Row groups, in the order they are listed: JSON syntax, 422 / merge conflicts, schema warnings."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.problems: list[Problem] = []
        self._groups: dict[str, tuple[list[Problem], str]] = {}

    def show(self, problems: Iterable[Problem], title: str) -> None:
        """Replace the server's rows (a 422, merge conflicts), highlight the first, make the panel visible."""
        self.set_group("server", problems, title)
        if self.problems:
            with self.prevent(OptionList.OptionHighlighted):
                self.highlighted = 0

    def hide(self) -> None:
        """The server's rows are gone (other groups stay)."""
        self.set_group("server", [], "")

    def set_group(self, group: str, problems: Iterable[Problem], label: str) -> None:
        """Replace one group's rows; ``label`` joins the panel's title while the group has rows."""
        rows = list(problems)
        if self._groups.get(group, ([], label)) == (rows, label):
            return  # unchanged (the checks run again after every pause in typing): no rebuild, no layout
        before = self.highlighted
        self._groups[group] = (rows, label)
        self.problems = []
        labels: list[str] = []
        for name in self.GROUPS:
            group_rows, group_label = self._groups.get(name, ([], ""))
            self.problems += group_rows
            if group_rows:
                labels.append(group_label)
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(Option(self._prompt(problem)) for problem in self.problems)
            if self.problems and before is not None:
                self.highlighted = min(before, len(self.problems) - 1)
        self.border_title = " · ".join(labels)
        self.set_class(any(p.kind == "conflict" for p in self.problems), "-conflicts")
        self.set_class(bool(self.problems) and all(p.kind == "warning" for p in self.problems), "-warnings")
        self.display = bool(self.problems)

    def _prompt(self, problem: Problem) -> Text:
        prompt = Text(one_line(problem.title, 200), style=self.KIND_STYLE.get(problem.kind, "bold"), end="")
        prompt.append("\n")
        prompt.append(printable(problem.detail))
        return prompt

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._jump(event.option_index)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._jump(event.option_index)

    def _jump(self, index: int) -> None:
        if 0 <= index < len(self.problems):
            problem = self.problems[index]
            self.post_message(self.Jump(self, index, problem.path, problem.position))

    def step(self, delta: int) -> None:
        """Highlight the next (or previous) row, wrapping around; the highlight posts ``Jump``."""
        if not self.problems:
            return
        current = self.highlighted if self.highlighted is not None else -delta
        self.highlighted = (current + delta) % len(self.problems)
        if len(self.problems) == 1:
            self._jump(0)  # the highlight did not change, so no message came
