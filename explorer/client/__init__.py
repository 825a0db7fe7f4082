"""The async integrator.io API client: ``IntegratorClient``, its errors and its request records.

Imports only ``explorer.model`` and ``httpx``; callers never see ``httpx`` types.
"""

from __future__ import annotations

from explorer.client.base import MAX_IDS_PER_CALL, batched
from explorer.client.cancel import CancelScope, cancellable, current_scope
from explorer.client.client import IntegratorClient
from explorer.client.errors import (
    Abandoned,
    ApiError,
    ApiErrorItem,
    BadRequest,
    Canceled,
    Forbidden,
    NotFound,
    RateLimited,
    ReadOnlyViolation,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from explorer.client.factory import ClientFactory
from explorer.client.records import RequestHook, RequestRecord, SummaryHook
from explorer.client.retry import RetryPolicy
from explorer.client.urls import REGION_BASES, base_url_for, is_loopback, region_of_base
from explorer.client.waits import Timeouts, WaitBoard, Waiting

__all__ = [
    "MAX_IDS_PER_CALL",
    "REGION_BASES",
    "Abandoned",
    "ApiError",
    "ApiErrorItem",
    "BadRequest",
    "CancelScope",
    "Canceled",
    "ClientFactory",
    "Forbidden",
    "IntegratorClient",
    "NotFound",
    "RateLimited",
    "ReadOnlyViolation",
    "RequestHook",
    "RequestRecord",
    "RetryPolicy",
    "ServerError",
    "SummaryHook",
    "Timeouts",
    "TransportError",
    "Unauthorized",
    "ValidationFailed",
    "WaitBoard",
    "Waiting",
    "base_url_for",
    "batched",
    "cancellable",
    "current_scope",
    "is_loopback",
    "region_of_base",
]
