"""Typed access to the account's resources: token info, integrations, flows, exports, imports, connections.

Why a mixin: ``IntegratorClient`` stays a small composition of API areas, each readable on its own. Lists
follow ``Link`` pages and treat 204 as empty; a PUT sends the whole document (PUT replaces) and returns what
the server saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from explorer.client.base import ClientBase
from explorer.client.errors import (
    ApiError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from explorer.model import Connection, Export, Flow, Import, Integration, PingResult, Resource, TokenInfo

R = TypeVar("R", bound=Resource)


def _limit(page_size: int | None) -> dict[str, int] | None:
    return {"limit": page_size} if page_size is not None else None


class ResourcesMixin(ClientBase):
    """``token_info``, ``list_*``, ``get_*``, ``put_*`` and ``ping_connection``."""

    async def token_info(self) -> TokenInfo:
        """Who the token belongs to and its scope (``GET /v1/tokenInfo``); also the token-validity probe."""
        reply = await self._get("tokenInfo")
        return TokenInfo.from_json(reply.data)

    # ----------------------------------------------------------------------------------------- lists
    # ``page_size`` (the API's ``limit``) only changes how many requests a list takes, never its result.
    async def list_integrations(self, *, page_size: int | None = None) -> list[Integration]:
        """Every integration the token can see."""
        return await self._collect(Integration.from_json, "integrations", params=_limit(page_size))

    async def list_flows(self, integration_id: str | None = None, *,
                         page_size: int | None = None) -> list[Flow]:
        """Every flow, or the flows of one integration (``/integrations/{id}/flows``)."""
        if integration_id is None:
            return await self._collect(Flow.from_json, "flows", params=_limit(page_size))
        return await self._collect(Flow.from_json, "integrations", integration_id, "flows",
                                   params=_limit(page_size))

    async def list_exports(self, *, page_size: int | None = None) -> list[Export]:
        """Every export (page generators and lookups)."""
        return await self._collect(Export.from_json, "exports", params=_limit(page_size))

    async def list_imports(self, *, page_size: int | None = None) -> list[Import]:
        """Every import."""
        return await self._collect(Import.from_json, "imports", params=_limit(page_size))

    async def list_connections(self, *, page_size: int | None = None) -> list[Connection]:
        """Every connection (secrets arrive masked)."""
        return await self._collect(Connection.from_json, "connections", params=_limit(page_size))

    # ----------------------------------------------------------------------------------------- one by id
    async def _get_one(self, factory: Callable[[Any], R], kind: str, resource_id: str) -> R:
        reply = await self._get(kind, resource_id)
        return self._build(factory, reply.data, reply)

    async def get_integration(self, integration_id: str) -> Integration:
        """One integration by id."""
        return await self._get_one(Integration.from_json, "integrations", integration_id)

    async def get_flow(self, flow_id: str) -> Flow:
        """One flow by id."""
        return await self._get_one(Flow.from_json, "flows", flow_id)

    async def get_export(self, export_id: str) -> Export:
        """One export by id."""
        return await self._get_one(Export.from_json, "exports", export_id)

    async def get_import(self, import_id: str) -> Import:
        """One import by id."""
        return await self._get_one(Import.from_json, "imports", import_id)

    async def get_connection(self, connection_id: str) -> Connection:
        """One connection by id."""
        return await self._get_one(Connection.from_json, "connections", connection_id)

    # ----------------------------------------------------------------------------------------- ping
    async def ping_connection(self, connection_id: str) -> PingResult:
        """Test a connection (``GET /connections/{id}/ping``; GET so it also works in read-only sessions).

        A refused ping is a result with ``ok=False`` and the server's own message: another 4xx status (the
        code in its body is not relied on: Celigo documents none), a 200 whose body has ``errors`` (their
        ``code`` may be the target application's status, e.g. 401), or a 200 with a non-200 ``code``. Errors
        about the request itself — token (401), scope (403), unknown id (404), rate limit, server or
        transport failures — are raised as usual.
        """
        try:
            reply = await self._get("connections", connection_id, "ping")
        except (Unauthorized, Forbidden, NotFound, RateLimited, ServerError, TransportError):
            raise
        except ApiError as exc:
            if exc.status is None:
                raise
            return PingResult(ok=False, status=exc.status, message=exc.message,
                              raw={"errors": [asdict(item) for item in exc.errors]})
        raw = reply.data if isinstance(reply.data, dict) else {}
        errors = raw.get("errors")
        if errors:
            items = errors if isinstance(errors, list) else [errors]
            messages = [str(i.get("message") or i.get("code") or "") if isinstance(i, dict) else str(i)
                        for i in items]
            message = "; ".join(m for m in messages if m) or "the ping answered with errors"
            return PingResult(ok=False, status=reply.status, message=message, raw=raw)
        code = raw.get("code", 200)
        ok = str(code) == "200"
        message = str(raw.get("message") or ("connection is online" if ok else f"ping answered code {code}"))
        return PingResult(ok=ok, status=reply.status, message=message, raw=raw)
