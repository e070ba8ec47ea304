"""Today's date for the dashboard; `TPD_TODAY` pins it (tests, screenshots, demos)."""
from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    pinned = os.environ.get("TPD_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()
