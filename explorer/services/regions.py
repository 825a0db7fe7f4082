"""Which region a refused token belongs to: the wrong-region hint shared by ``iox`` commands and the explorer.

Why: integrator.io has four regions (NA, EU, AU, CA), fully separate tenants; a token from one is refused by
the others with a bare 401 that says nothing about regions. When the session talks to one of Celigo's public
API hosts, asking the other three hosts' ``tokenInfo`` tells the user where the token works. For any other
server (a proxy, a simulator on loopback) the other regions are unknown, so nothing is probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.client import REGION_BASES, ApiError, IntegratorClient, region_of_base


@dataclass(frozen=True)
class RegionProbe:
    """What probing the other regions found: the one that accepts the token (None: none), and those asked."""

    current: str
    accepted_by: str | None
    tried: tuple[str, ...]

    def hint(self) -> str:
        """One sentence for the user: where the token works, or that no region accepts it."""
        if self.accepted_by is not None:
            host = REGION_BASES[self.accepted_by].split("/")[2]
            return (f"this token belongs to the {self.accepted_by.upper()} account ({host}), not the "
                    f"{self.current.upper()} one: use a profile with region = \"{self.accepted_by}\" "
                    f"(`iox login --region {self.accepted_by}`)")
        regions = ", ".join(name.upper() for name in (self.current, *self.tried))
        return (f"no region accepts this token ({regions} tried): it expired, was revoked, or was copied "
                "incompletely")


async def probe_other_regions(client: IntegratorClient) -> RegionProbe | None:
    """Ask every other region's ``tokenInfo`` with the client's token, stopping at the first that accepts it.

    None when the client talks to a server that is not one of Celigo's public API hosts. A region that fails
    in another way (no network, 5xx) counts as not accepting the token.
    """
    current = region_of_base(client.base_url)
    if current is None:
        return None
    tried: list[str] = []
    for region in REGION_BASES:
        if region == current:
            continue
        tried.append(region)
        async with client.in_region(region) as other:
            try:
                await other.token_info()
            except ApiError:
                continue
        return RegionProbe(current, region, tuple(tried))
    return RegionProbe(current, None, tuple(tried))
