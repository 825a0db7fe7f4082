"""Hand a document to ``$VISUAL`` / ``$EDITOR`` while the app is suspended, and read back what was saved.

Why a separate, injectable object: documents too big for the in-app editor go to the user's own editor, and
``E`` does so on request; both then continue through the same validate → diff → confirm path. The hand-off
itself (temporary file, command line, suspend, read back) is tested for real with a fake editor script,
while headless tests swap ``suspend`` (Textual's headless driver cannot suspend) for a no-op.

The temporary file is private (0600, in the system temp dir) and removed afterwards; the draft store keeps the
text if anything goes wrong later.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from textual.app import App, SuspendNotSupported

FALLBACK_EDITOR = "vi"
"""Used when neither ``$VISUAL`` nor ``$EDITOR`` is set (as git does)."""

Suspend = Callable[[App[object]], AbstractContextManager[None]]
Runner = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class ExternalResult:
    """The edited text, or why there is none (``error``); ``changed`` compares it with what was sent."""

    text: str | None
    changed: bool
    error: str | None = None
    editor: str = ""


def _suspend_app(app: App[object]) -> AbstractContextManager[None]:
    return app.suspend()


def _run(command: Sequence[str]) -> int:
    return subprocess.call(list(command))


@contextlib.contextmanager
def _private_file(text: str, name: str) -> Iterator[Path]:
    fd, raw = tempfile.mkstemp(prefix=f"iox-{name}-", suffix=".json")
    path = Path(raw)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if not text.endswith("\n"):
                handle.write("\n")
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


@dataclass
class ExternalEditor:
    """Runs the user's editor on a temporary copy of the text; ``environ``/``run``/``suspend`` are seams."""

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    run: Runner = _run
    suspend: Suspend = _suspend_app

    def command(self) -> list[str]:
        """The editor command line (without the file): ``$VISUAL``, else ``$EDITOR``, else ``vi``."""
        raw = self.environ.get("VISUAL") or self.environ.get("EDITOR") or FALLBACK_EDITOR
        try:
            return shlex.split(raw)
        except ValueError:
            return [raw]

    def describe(self) -> str:
        """The editor's name for messages (``vim``, ``code --wait``)."""
        return " ".join(self.command()) or FALLBACK_EDITOR

    def edit(self, app: App[object], text: str, name: str) -> ExternalResult:
        """Suspend ``app``, run the editor on ``text``, and return what the file holds afterwards."""
        command = self.command()
        editor = self.describe()

        def failed(reason: str) -> ExternalResult:
            return ExternalResult(None, False, reason, editor)

        if not command or shutil.which(command[0], path=self.environ.get("PATH")) is None:
            return failed(f"editor {editor!r} not found (set $VISUAL or $EDITOR)")
        with _private_file(text, name) as path:
            try:
                with self.suspend(app):
                    status = self.run([*command, str(path)])
            except SuspendNotSupported:
                return failed("this terminal cannot hand over to an external editor")
            except OSError as exc:
                return failed(f"could not start {editor!r}: {exc.strerror or exc}")
            if status != 0:
                return failed(f"{editor!r} exited with status {status}; nothing taken")
            try:
                edited = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                return failed(f"could not read the edited file: {exc}")
        if edited.endswith("\n") and not text.endswith("\n"):
            edited = edited[:-1]  # editors add a final newline; it is not a change
        return ExternalResult(edited, edited != text, None, editor)
