"""What running a flow needs to know before anything is sent.

Why a module of its own: ``R`` on the main screen and ``R`` on the jobs screen must give the same answer for
a disabled flow — integrator.io refuses to run one, and sending the run only to show the refusal afterwards
reads as a failure of the tool rather than a fact about the flow.
"""

from __future__ import annotations

from explorer.textsafe import one_line


def disabled_flow_refusal(flow_name: str) -> str:
    """Why ``R`` sends nothing on a disabled flow, and what would make it runnable."""
    return (f"Nothing was sent: {one_line(flow_name, 60)} is disabled.\n"
            'integrator.io does not run a disabled flow; enable it first ("disabled": false).')
