"""What the user sees of an integrator.io account, as plain dataclasses built from the API's JSON.

Why a separate, stdlib-only package: the TUI, the CLI and the tests reason about integrations, flows, steps
and errors without caring how the JSON arrived. The real API is loosely documented, so every ``from_json`` is
tolerant: unknown fields are ignored, every field but the id is optional, numbers may come as strings and
timestamps with or without milliseconds. The full document is always kept in ``raw`` for the JSON pane.
``from_json`` raises ``ValueError`` only when the id itself is missing; callers turn that into a clear error.

One module per kind of thing; this package re-exports their public names, so ``from explorer.model import
Flow`` stays the way to import them.
"""

from __future__ import annotations

from explorer.model.documents import MASKED_SECRET as MASKED_SECRET
from explorer.model.documents import SERVER_OWNED as SERVER_OWNED
from explorer.model.documents import masked_secret_paths as masked_secret_paths
from explorer.model.errors import ErrorCount as ErrorCount
from explorer.model.errors import ErrorKey as ErrorKey
from explorer.model.errors import ErrorRecord as ErrorRecord
from explorer.model.errors import FlowErrorCount as FlowErrorCount
from explorer.model.errors import RetryData as RetryData
from explorer.model.errors import StepErrorCount as StepErrorCount
from explorer.model.jobs import FINISHED_JOB_STATUSES as FINISHED_JOB_STATUSES
from explorer.model.jobs import Job as Job
from explorer.model.paths import PathPart as PathPart
from explorer.model.paths import format_path as format_path
from explorer.model.paths import parse_path as parse_path
from explorer.model.paths import path_label as path_label
from explorer.model.resources import Connection as Connection
from explorer.model.resources import Export as Export
from explorer.model.resources import Flow as Flow
from explorer.model.resources import Import as Import
from explorer.model.resources import Integration as Integration
from explorer.model.resources import PingResult as PingResult
from explorer.model.resources import Resource as Resource
from explorer.model.resources import Step as Step
from explorer.model.resources import StepKind as StepKind
from explorer.model.schedule import schedule_in_words as schedule_in_words
from explorer.model.token import ScopeKind as ScopeKind
from explorer.model.token import TokenInfo as TokenInfo
from explorer.model.values import format_timestamp as format_timestamp
from explorer.model.values import parse_timestamp as parse_timestamp
