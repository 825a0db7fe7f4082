"""httpcore asks which async library runs (``import sniffio``) each time it sets up a lock, several times per
request. Without sniffio installed every ask was a failed search of ``sys.path``: the 10 calls of a bulk
retry left over ~25 ms instead of ~18 (issue 10). sniffio is a pinned dependency; this keeps it found."""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

from httpcore._synchronization import current_async_library


class _Recorder(importlib.abc.MetaPathFinder):
    """Notes every module the import system has to search for (a module already loaded never gets here)."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        self.searched.append(fullname)
        return None


def test_httpcore_finds_the_async_library_without_searching_sys_path() -> None:
    async def ask() -> list[str]:
        return [current_async_library() for _ in range(3)]

    asyncio.run(ask())  # loads sniffio once, if it is there at all
    recorder = _Recorder()
    sys.meta_path.insert(0, recorder)
    try:
        answers = asyncio.run(ask())
    finally:
        sys.meta_path.remove(recorder)
    assert answers == ["asyncio"] * 3
    assert recorder.searched == []
