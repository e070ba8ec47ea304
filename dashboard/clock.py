"""Today's date for the dashboard (`TPD_TODAY` pins it: tests, screenshots, demos), and China time."""
from __future__ import annotations

import datetime as dt
import os

from warehouse.clock import CHINA
from warehouse.clock import china_now as china_now_precise


def today() -> dt.date:
    """China's date, whatever the server's zone: periods (本周, 本月 …) turn at China's midnight."""
    pinned = os.environ.get("TPD_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.datetime.now(CHINA).date()


def china_now() -> dt.datetime:
    """The time now in China (naive, to the second): what stamps shown to people say."""
    return china_now_precise().replace(microsecond=0)


def utc_of_china(moment: dt.datetime) -> dt.datetime:
    """A naive China time as the naive UTC instant (file metadata are stored in UTC)."""
    return moment.replace(tzinfo=CHINA).astimezone(dt.timezone.utc).replace(tzinfo=None)
