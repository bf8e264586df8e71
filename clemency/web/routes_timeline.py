"""Implementation: the timeline and reconciliation charts, from clemency.timeline when it is there."""

from __future__ import annotations

import importlib

from starlette.requests import Request
from starlette.routing import Route

from clemency.web.common import render


def timeline_module():
    """clemency.timeline's public entry point, or None while it is not built."""
    for name in ("clemency.timeline.simulate", "clemency.timeline"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(mod, "simulate") or hasattr(mod, "run_timeline"):
            return mod
    return None


async def timeline_page(request: Request):
    return render(request, "timeline.html", available=timeline_module() is not None)


routes = [Route("/timeline", timeline_page)]
