"""The command palette provider: jump to any integration, flow, step or connection by name or id; actions.

Why its own highlighting: Textual's ``Matcher.highlight`` parses the candidate as markup, and names come from
the server (a flow may be called ``[bold]x``), so hits are built as plain ``Content`` with the matched
characters styled by offset. Candidates come from what the account service already loaded — the palette never
sends a request; a jump to a step of a flow not yet opened loads that flow's summary on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.style import Style

from explorer.services.account import AccountService
from explorer.tui.literal import one_line


class PaletteHost(Protocol):
    """What the provider needs from the app."""

    @property
    def account(self) -> AccountService:
        """The loaded account."""
        ...

    def jump_to(self, key: str) -> None:
        """Reveal the tree item with this key on the main screen."""
        ...

    def palette_actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) of the screen actions offered in the palette."""
        ...

    def open_errors(self, flow_id: str, step_id: str) -> None:
        """Open the triage screen of one step's errors."""
        ...


@dataclass(frozen=True)
class Candidate:
    """Something the palette can jump to."""

    key: str
    kind: str
    name: str
    id: str
    where: str = ""


def candidates(service: AccountService) -> Iterator[Candidate]:
    """Every integration, flow, step and connection the service knows, in tree order."""
    root = service.root
    if root is None:
        return
    names = {i.id: i.name for i in root.integrations}
    for integration_id in root.flows_by_integration:
        yield Candidate(f"integration:{integration_id}", "integration", names.get(integration_id, ""),
                        integration_id)
    catalog = service.catalog_loaded
    for flow in root.flows:
        where = names.get(flow.integration_id or "", "") if flow.integration_id else "standalone"
        yield Candidate(f"flow:{flow.id}", "flow", flow.name, flow.id, where)
        for step in flow.steps():
            resource = catalog.resource(step) if catalog is not None else None
            yield Candidate(f"step:{flow.id}:{step.step_id}", step.kind, resource.name if resource else "",
                            step.step_id, flow.name or flow.id)
    for connection in root.connections:
        yield Candidate(f"connection:{connection.id}", "connection", connection.name, connection.id,
                        connection.type or "")


def highlighted(matcher: Matcher, candidate: str, style: Style) -> Content:
    """``candidate`` as plain content (never markup) with the fuzzy-matched characters styled."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if offset < len(candidate) and not candidate[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content


def display(candidate: Candidate, name: Content) -> Content:
    """``kind  name  · where`` for one hit."""
    parts = [Content.styled(f"{candidate.kind:<11} ", "$text-accent"), name]
    if candidate.where:
        parts.append(Content.styled(" · " + one_line(candidate.where, 40), "$text-muted"))
    return Content.assemble(*parts)


class ExplorerCommands(Provider):
    """Resources by name or id (fuzzy), plus the screen actions."""

    @property
    def host(self) -> PaletteHost:
        """The app, typed as what the provider uses."""
        return cast(PaletteHost, self.app)

    async def discover(self) -> Hits:
        """Without a query: the screen actions, then the integrations."""
        for name, help_text, callback in self.host.palette_actions():
            yield DiscoveryHit(name, callback, help=help_text)
        for candidate in candidates(self.host.account):
            if candidate.kind == "integration":
                label = Content(one_line(candidate.name or candidate.id, 80))
                yield DiscoveryHit(display(candidate, label), partial(self.host.jump_to, candidate.key),
                                   text=f"integration {candidate.name} {candidate.id}")

    async def search(self, query: str) -> Hits:
        """Fuzzy match on names; ids match by prefix (``6571e`` finds every id starting so)."""
        matcher = self.matcher(query)
        style = matcher.match_style
        lowered = query.strip().lower()
        for name, help_text, callback in self.host.palette_actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name, style), callback, text=name, help=help_text)
        for candidate in candidates(self.host.account):
            shown = one_line(candidate.name, 80)
            score = matcher.match(shown) if shown else 0.0
            by_id = bool(lowered) and candidate.id.lower().startswith(lowered)
            if by_id:
                score = max(score, 0.9 if lowered != candidate.id.lower() else 1.0)
            if score <= 0:
                continue
            if shown and not by_id:
                label = highlighted(matcher, shown, style)
            else:
                label = Content(shown or candidate.id)
            if by_id and shown:
                label = Content.assemble(label, Content.styled(f"  {candidate.id}", "$text-muted"))
            yield Hit(score, display(candidate, label), partial(self.host.jump_to, candidate.key),
                      text=f"{candidate.kind} {candidate.name} {candidate.id}",
                      help=f"{candidate.kind} {candidate.id}")
        for hit in self._error_hits(matcher, style):
            yield hit

    def _error_hits(self, matcher: Matcher, style: Style) -> Iterator[Hit]:
        """``Errors: <step name> (<flow name>)`` for every step: type part of a step's name, enter."""
        for candidate in candidates(self.host.account):
            if not candidate.key.startswith("step:"):
                continue
            _, flow_id, step_id = candidate.key.split(":", 2)
            text = f"Errors: {one_line(candidate.name or candidate.id, 60)} ({one_line(candidate.where, 40)})"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score * 0.95, highlighted(matcher, text, style),
                          partial(self.host.open_errors, flow_id, step_id), text=text,
                          help=f"open errors of step {step_id}")
