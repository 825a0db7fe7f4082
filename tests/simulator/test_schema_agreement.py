"""The simulator agrees with Celigo's published schemas: every document it serves checks with no problem.

Walks what a client sees — each list, then each document by id, in both regions, at both scales — and
checks it the way the editor does before a PUT. A problem here means the simulator serves something the real
API would not (or that the schemas moved: then change the simulator, not this test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.services.schemas import SchemaLibrary
from tests.helpers.sim_calls import EU, NA, call, make_sim

KINDS = ("connections", "exports", "imports", "flows")


@pytest.mark.parametrize("scale", ["demo", "large"])
def test_every_served_document_validates(scale: str, installed_schemas: Path) -> None:
    library = SchemaLibrary(installed_schemas)
    sim = make_sim(scale=scale, rate_bucket=1_000_000)  # thousands of GETs at once: not a rate-limit test
    checked = 0
    problems: list[str] = []
    for base, token in ((NA, "full"), (EU, "eu")):
        for kind in KINDS:
            listing = call(sim, "GET", f"/v1/{kind}", token=token, base=base)
            assert listing.status == 200
            for summary in listing.json():
                response = call(sim, "GET", f"/v1/{kind}/{summary['_id']}", token=token, base=base)
                assert response.status == 200
                doc = response.json()
                checked += 1
                problems += [f"{kind}/{doc['_id']} {doc.get('name')!r}: {problem}"
                             for problem in library.check(kind, doc)]
    assert checked > (1000 if scale == "large" else 30)
    assert problems == []
