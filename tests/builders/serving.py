"""What the serving tests ask a running node: a view, batches of marked incidents, the incidents page's KPI counts."""
from __future__ import annotations

from dashboard.queries.incidents import KPIS
from tests.builders.files import write_records
from tests.http_client import dash_callback

VIEW = "?period=custom&start=2026-11-01&end=2026-11-23"
MAX_REQUESTS = 3000   # per client: a bound on the loop whatever happens
WAIT_SECONDS = 120    # for clients to catch up after a load


def batch_files(directory, k):
    def incident(j, case_type=""):
        return dict(incident_id=f"RT{k:02d}-{j}", received_at=f"2026-11-23 23:{40 + k}:{10 + j:02d}",
                    unit_code="YL0013", area_code="YLA001", category="盗窃", source="110报警",
                    arrived_at="", closed_at="", case_type=case_type, tourist_origin="广东",
                    summary="负载测试")
    return [write_records(directory / f"incidents_b{k}_a.csv", "incidents",
                          [incident(1, "刑事案件"), incident(2)]),
            write_records(directory / f"incidents_b{k}_b.csv", "incidents", [incident(3), incident(4)])]


def texts_with_class(tree, cls):
    out = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props, dict) and props.get("className") == cls:
                out.append(props.get("children"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(tree)
    return out


def number(text) -> int:
    return int(str(text).replace(",", ""))


def kpi_counts(session, base):
    answer = dash_callback(session, base, [("incidents-kpis", "children")],
                           [("incidents-view", "data", VIEW)])
    values = texts_with_class(answer["incidents-kpis"]["children"], "tpd-kpi-value")
    assert len(values) == len(KPIS), values
    return number(values[KPIS.index("incidents.total")]), number(values[KPIS.index("cases.criminal")])

