"""Test-wide setup: keep the developer's environment out of the tests."""

from __future__ import annotations

import os

# NO_COLOR in the environment changes every snapshot (measured), so drop it before Textual reads it.
os.environ.pop("NO_COLOR", None)
