"""Who is at the desk: recorded with every scan, print and action (the OS login name for now)."""

from __future__ import annotations

import getpass


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (some services, containers)
        return ""
