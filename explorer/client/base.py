"""Shared plumbing for the typed API mixins: path building, reading answers, building model objects.

Why: the mixins (resources, errors, jobs) each hold one area of the API; they share the transport core and
the rule that a document the model cannot read (no id, wrong shape) becomes a ``TransportError`` naming the
request, instead of a ``ValueError`` deep inside the TUI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from explorer.client import urls
from explorer.client.errors import TransportError
from explorer.client.http import HttpCore, Reply, as_list

T = TypeVar("T")

MAX_IDS_PER_CALL = 1000
"""The web app caps bulk retry/resolve at 1000 ids per call; larger selections go in batches."""


def batched(ids: Iterable[str], size: int = MAX_IDS_PER_CALL) -> list[list[str]]:
    """``ids`` (duplicates dropped, order kept) cut into lists of at most ``size``."""
    unique = list(dict.fromkeys(ids))
    return [unique[start:start + size] for start in range(0, len(unique), size)]


class ClientBase:
    """Holds the transport core; the API mixins build on its helpers."""

    _http: HttpCore

    @staticmethod
    def _path(*segments: str) -> str:
        return urls.join_segments(*segments)

    async def _get(self, *segments: str, params: urls.QueryParams | None = None) -> Reply:
        return await self._http.request("GET", self._path(*segments), params=params)

    async def _send(self, method: str, *segments: str, body: Any) -> Reply:
        return await self._http.request(method, self._path(*segments), body=body)

    @staticmethod
    def _build(factory: Callable[[Any], T], doc: Any, reply: Reply) -> T:
        """A model object from a document, or a ``TransportError`` that names the request."""
        try:
            return factory(doc)
        except (ValueError, TypeError, AttributeError) as exc:
            raise TransportError(reply.status, "unexpected_body", f"unreadable answer: {exc}",
                                 method=reply.method, path=reply.path) from None

    @classmethod
    def _build_list(cls, factory: Callable[[Any], T], items: Any, reply: Reply) -> list[T]:
        """Model objects from a JSON array (None = empty, as after a 204)."""
        return [cls._build(factory, item, reply) for item in as_list(items, reply)]

    async def _collect(self, factory: Callable[[Any], T], *segments: str,
                       params: urls.QueryParams | None = None) -> list[T]:
        """Every item of a ``Link``-paginated list, as model objects."""
        found: list[T] = []
        async for page, reply in self._http.link_pages(self._path(*segments), params):
            found += self._build_list(factory, page, reply)
        return found
