"""Demo data: raw operational exports of a fictional city's tourism police (云岚市).

`generate_exports(out_dir)` writes the files a bureau clerk would hand the ETL —
all fourteen record types, two years up to `today` — and returns their paths
(reference types first, then the types in load order, each chronologically).
It loads nothing. Same seed, scale and today give byte-identical files.

At the default scale (about 40,000 incidents) the files exercise the data
contract the way real exports do: UTF-8, UTF-8 with BOM, GB18030 CSVs and XLSX
workbooks (title rows, real date cells), Chinese / English / untidy headers,
several date, boolean and null formats, thousands separators, full-width digits,
an unknown extra column, and a few bad rows of every kind (invalid date, unknown
enum value, unknown unit code, arrival before the call, score 6, a duplicate key
inside a file, negative compensation). From `LARGE_SCALE` incidents up, the big
flow types are plain UTF-8 CSV with ISO dates, one file per type and year, and
carry only a handful of bad rows.

Modules: `generate` (the files, in order), `world` (the city over the period and
the column kinds), `reference` (units, areas, posts, officers, teams), `wording`
(free-text pools), `flows` (a month of incidents, mediations, surveys, services,
enforcement), `campaigns` (deployments, nominations, votes), `calendar` (holiday
periods), `write` (frames rendered as CSV and XLSX the way bureau systems do) and
`write_large` (the fast path at large scale: Arrow, plain UTF-8 CSV).
`python -m etl demo` loads them; `python -m etl.demo OUT_DIR [SCALE]` only writes them.
"""
from __future__ import annotations

from etl.demo.calendar import holiday_periods
from etl.demo.generate import DEFAULT_INCIDENTS, DEMO_SEED, LARGE_SCALE, generate_exports
from etl.demo.write import BAD_UNIT_CODE

__all__ = ["DEMO_SEED", "DEFAULT_INCIDENTS", "LARGE_SCALE", "BAD_UNIT_CODE", "generate_exports", "holiday_periods"]
