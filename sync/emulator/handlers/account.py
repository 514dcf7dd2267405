"""The API key itself: its roles and when it expires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..clock import iso
from ..fields import Fields
from .base import ROUTES, Ctx, route

KEY_LIFETIME = timedelta(days=90)


@route("/v1/roles")
def roles(ctx: Ctx, f: Fields) -> dict[str, Any]:
    return {"expires_at": iso(ctx.now + KEY_LIFETIME), "roles": [{"name": "Admin", "methods": sorted(ROUTES)}]}
