"""The list beside the editor of what needs the user's attention: 422 errors, merge conflicts, warnings.

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
    """

    KIND_STYLE: ClassVar[dict[str, str]] = {"error": "bold red", "conflict": "bold yellow", "warning": "bold"}
    """Headline style per kind of problem."""

    @dataclass
    class Jump(Message):
        """Put the editor's cursor on the field at ``path`` (None: no field was named)."""

        problems: EditProblems
        index: int
        path: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.problems: list[Problem] = []

    def show(self, problems: Iterable[Problem], title: str) -> None:
        """Replace the rows, highlight the first, and make the panel visible."""
        self.problems = list(problems)
        self.set_options(Option(self._prompt(problem)) for problem in self.problems)
        self.border_title = title
        self.set_class(any(p.kind == "conflict" for p in self.problems), "-conflicts")
        self.display = bool(self.problems)
        if self.problems:
            with self.prevent(OptionList.OptionHighlighted):
                self.highlighted = 0

    def hide(self) -> None:
        """No problems to show."""
        self.problems = []
        self.clear_options()
        self.display = False

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
            self.post_message(self.Jump(self, index, self.problems[index].path))

    def step(self, delta: int) -> None:
        """Highlight the next (or previous) row, wrapping around; the highlight posts ``Jump``."""
        if not self.problems:
            return
        current = self.highlighted if self.highlighted is not None else -delta
        self.highlighted = (current + delta) % len(self.problems)
        if len(self.problems) == 1:
            self._jump(0)  # the highlight did not change, so no message came
