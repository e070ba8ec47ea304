"""What is alarming in a scope's last complete week, judged as the dashboard judges it.

From the same figures as the 周报 (`dashboard.briefing.compose`): a figure with a
target (`targets.toml`) that is off it — amber or red by `judgements.rag`, on
enough records — and a headline figure whose change against the week before is
notable (显著, `judgements.change`) and for the worse (`judgements.verdict`); and
the overview's 异常提醒 but those for the better: a weekly figure of the scope or a
unit below it departing from its 12 weeks before (`ranking.departures`).
Each alert has a key (what, and how it stands); a delivery is claimed per key,
scope and week, so an alert goes out once: not again the next hour while the
figure stays where it is, again only if it moves on to red from amber.
"""
from __future__ import annotations

from dataclasses import dataclass

from dashboard.briefing.compose import HEADLINE
from dashboard.briefing.model import Briefing
from dashboard.format import fmt_change, fmt_value
from dashboard.model import judgements, ranking
from dashboard.model.catalog import BY_ID
from dashboard.model.filters import Filters, Scope
from dashboard.queries import overview as overview_q
from dashboard.text import t


@dataclass(frozen=True)
class Alert:
    key: str            # target:<metric>:<amber|red>, change:<metric>:<up|down>, departure:<unit>:<metric>:<up|down>
    metric_id: str
    kind: str           # target / change / departure
    status: str
    departure: dict | None = None    # ranking.departures' finding (unit, unit_name, week, value, baseline, z)


def departures(filters: Filters, scope: Scope) -> list[Alert]:
    """The overview's departures of the week — for the worse, or of a figure with no better side (the
    incidents) — in the scope and the units below it; never those for the better."""
    out = []
    for found in ranking.departures(overview_q.alert_series(filters, scope), overview_q.ALERT_METRICS):
        m = BY_ID[found["metric"]]
        if judgements.verdict(m.higher_is_better, found["z"]) == "good":
            continue
        direction = "up" if found["z"] > 0 else "down"
        out.append(Alert(f"departure:{found['unit'] or '-'}:{found['metric']}:{direction}", found["metric"],
                         "departure", direction, found))
    return out


def alerts(b: Briefing) -> list[Alert]:
    out = []
    for mid, figure in b.figures.items():
        if judgements.target_of(mid) is None:
            continue
        status = judgements.rag(mid, figure.now.value, figure.now.n)
        if status in ("amber", "red"):
            out.append(Alert(f"target:{mid}:{status}", mid, "target", status))
    for mid in HEADLINE:
        change = b.figures[mid].vs_previous
        if change.notable and judgements.verdict(BY_ID[mid].higher_is_better, change.delta) == "bad":
            direction = "up" if change.delta > 0 else "down"
            out.append(Alert(f"change:{mid}:{direction}", mid, "change", direction))
    return out


def words(alert: Alert, b: Briefing, lang: str) -> tuple[str, str]:
    """The alert's title and summary in `lang`."""
    m = BY_ID[alert.metric_id]
    figure = b.figures[alert.metric_id]
    where = b.where or b.issuer
    name = m.zh if lang == "zh" else m.en
    week = f"{b.view.start.isoformat()}—{b.view.end.isoformat()}"
    value = fmt_value(m.fmt, figure.now.value, lang)
    if alert.kind == "departure":
        d = alert.departure
        place = d["unit_name"] or where
        title = t("alert.departure_title", lang, where=place, metric=name)
        text = t("alert.departure_text", lang, where=place, metric=name, week=week,
                 value=fmt_value(m.fmt, d["value"], lang), baseline=fmt_value(m.fmt, d["baseline"], lang),
                 z=f"{abs(d['z']):.1f}")
    elif alert.kind == "target":
        target = judgements.target_of(alert.metric_id)["target"]
        title = t("alert.target_title", lang, where=where, metric=name)
        text = t(f"alert.target_{alert.status}", lang, where=where, metric=name, week=week, value=value,
                 target=fmt_value(m.fmt, target, lang), n=figure.now.n if figure.now.n is not None else "—")
    else:
        title = t("alert.change_title", lang, where=where, metric=name)
        text = t("alert.change_text", lang, where=where, metric=name, week=week, value=value,
                 before=fmt_value(m.fmt, figure.previous.value, lang),
                 change=fmt_change(m.fmt, figure.vs_previous, lang))
    return title, text
