"""China time for stamps written by the ETL and the warehouse (load log, batch ids), whatever the
server's zone: the bureau reads every time in Asia/Shanghai, and records are stamped so too."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def china_now() -> dt.datetime:
    """Now in China, naive, to the microsecond (what the load log stores)."""
    return dt.datetime.now(CHINA).replace(tzinfo=None)
