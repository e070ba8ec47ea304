"""The KPI card every page shows: its sparkline is an SVG image of the data, its badge is given only
on enough records, its changes say 持平, 显著 in words and whether for the better or the worse, and
a view whose period before is last year shows one comparison. Built from figures, no warehouse."""
from __future__ import annotations

import base64
import datetime as dt
import re

import pandas as pd
import pytest

from dashboard.components.kpi import comparisons, figure_card, kpi_card, sparkline_svg
from dashboard.model import judgements
from dashboard.model.values import KpiFigures, MetricValue
from dashboard.state import View

WEEKS = pd.date_range("2026-08-31", periods=12, freq="7D")


def weekly(values) -> pd.DataFrame:
    return pd.DataFrame({"key": WEEKS[:len(values)], "value": values, "n": [100] * len(values)})


def figures(now, previous, last_year, n=(None, None, None), history=(5, 6, 7, 6, 5, 6, 7, 8, 6, 5, 6, 7)):
    return KpiFigures(MetricValue(now, n[0]), MetricValue(previous, n[1]), MetricValue(last_year, n[2]),
                      weekly(list(history)))


def texts(component) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if component is None:
        return []
    if isinstance(component, (str, int, float)):
        return [str(component)]
    if isinstance(component, (list, tuple)):
        return [s for c in component for s in texts(c)]
    return texts(getattr(component, "children", None))


def find(component, predicate) -> list:
    """Every component in the tree for which `predicate` holds."""
    found = [component] if hasattr(component, "to_plotly_json") and predicate(component) else []
    children = getattr(component, "children", None) if not isinstance(component, (list, tuple)) else component
    if isinstance(children, (list, tuple)):
        for child in children:
            found += find(child, predicate)
    elif children is not None and not isinstance(children, (str, int, float)):
        found += find(children, predicate)
    return found


def classes(component) -> str:
    return getattr(component, "className", "") or ""


def svg_of(card) -> str:
    img = find(card, lambda c: "tpd-kpi-spark" in classes(c) and getattr(c, "src", None))[0]
    return base64.b64decode(img.src.split(",", 1)[1]).decode()


def week_view(period="last_week", start="2026-11-16", end="2026-11-22") -> View:
    return View(period, dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_the_sparkline_is_an_svg_image_with_one_point_per_week_of_data():
    history = (120, 130, 125, 140, 150, 145, 160, 170, 165, 180, 175, 190)
    card = kpi_card("incidents.total", figures(190, 175, 150, history=history), "zh", "k")
    assert not find(card, lambda c: type(c).__name__ == "Graph"), "no Plotly graph in a KPI card"
    points = re.search(r'<polyline points="([^"]+)"', svg_of(card)).group(1).split()
    assert len(points) == 12
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[-1] < ys[0], "the last week (190) is drawn higher than the first (120)"


def test_a_week_without_a_figure_is_left_out_of_the_line():
    card = kpi_card("survey.satisfaction_rate", figures(0.9, 0.9, 0.9, n=(100, 100, 100),
                    history=(0.9, None, 0.92, 0.91, None, 0.93, 0.9, 0.9, 0.91, 0.9, 0.92, 0.9)), "zh", "k")
    assert len(re.search(r'<polyline points="([^"]+)"', svg_of(card)).group(1).split()) == 10


def test_the_sparkline_says_its_figures_in_words_for_screen_readers():
    card = kpi_card("incidents.total", figures(190, 175, 150, history=(120, 130, 190)), "en", "k")
    img = find(card, lambda c: "tpd-kpi-spark" in classes(c))[0]
    assert img.alt == img.title
    assert "120" in img.alt and "190" in img.alt and "3 weeks" in img.alt


def test_a_flat_history_draws_a_level_line_not_an_error():
    points = re.search(r'<polyline points="([^"]+)"', sparkline_svg([0.5] * 6, from_zero=False)).group(1).split()
    assert len({p.split(",")[1] for p in points}) == 1


def test_a_rate_on_too_few_records_gets_no_red_badge_but_too_few():
    card = kpi_card("mediation.success_rate", figures(0.5, 0.8, 0.8, n=(6, 10, 10)), "zh", "k")
    words = texts(card)
    assert "样本不足" in words and "未达标" not in words
    assert "tpd-kpi-few" in classes(card)


def test_a_rate_on_enough_records_is_judged_against_its_target():
    n = judgements.min_survey_answers()
    card = kpi_card("mediation.success_rate", figures(0.5, 0.8, 0.8, n=(n, n, n)), "zh", "k")
    assert "未达标" in texts(card) and "tpd-kpi-red" in classes(card)


def change_spans(card) -> list:
    return find(card, lambda c: classes(c) == "tpd-change")


def test_a_notable_change_for_the_better_is_green_and_says_so_in_words():
    # Criminal cases: lower is better in the catalog; 400 → 200 is far beyond the Poisson test.
    card = kpi_card("cases.criminal", figures(200, 400, 400), "zh", "k")
    first = change_spans(card)[0]
    assert "显著向好" in texts(first)
    assert find(first, lambda c: "tpd-change-good" in classes(c))


def test_a_notable_change_for_the_worse_is_red_and_says_so_in_words():
    card = kpi_card("cases.criminal", figures(400, 200, 200), "en", "k")
    first = change_spans(card)[0]
    assert "notably worse" in texts(first)
    assert find(first, lambda c: "tpd-change-bad" in classes(c))
    assert not find(card, lambda c: "tpd-change-good" in classes(c))


def test_a_notable_change_of_a_figure_without_a_direction_is_neither_green_nor_red():
    card = kpi_card("incidents.total", figures(400, 200, 200), "zh", "k")   # catalog: neither better nor worse
    first = change_spans(card)[0]
    assert "显著" in texts(first)
    assert find(first, lambda c: "tpd-change-neutral" in classes(c))


def test_a_change_within_normal_variation_is_not_called_notable():
    card = kpi_card("incidents.total", figures(210, 200, 200), "zh", "k")
    assert not any("显著" in s for s in texts(card))


@pytest.mark.parametrize("metric_id,now,before,n", [
    ("survey.satisfaction_rate", 0.8996, 0.8999, (5000, 5000, 5000)),   # −0.03 percentage points
    ("incidents.total", 1001, 1003, (None, None, None)),                # −0.2 %
    ("incidents.total", 7, 7, (None, None, None)),
])
def test_a_change_that_prints_as_zero_reads_unchanged(metric_id, now, before, n):
    card = kpi_card(metric_id, figures(now, before, before, n=n), "zh", "k")
    words = " ".join(texts(card))
    assert words.count("持平") == 2
    assert "-0" not in words and "−0" not in words and "■" not in words


def test_a_count_on_a_small_base_changes_by_a_number_not_a_percentage():
    card = kpi_card("enforce.joint_operations", figures(7, 1, 1), "zh", "k")
    words = " ".join(texts(card))
    assert "+6次" in words and "%" not in words


def test_this_years_card_compares_with_last_year_only():
    view = week_view("this_year", "2026-01-01", "2026-11-23")
    card = kpi_card("incidents.total", figures(400, 300, 300), "zh", "k", view=view)
    words = texts(card)
    assert "同比" in " ".join(words) and "环比" not in " ".join(words)
    assert len(change_spans(card)) == 1


def test_a_week_compares_with_the_week_before_and_last_year():
    assert [which for which, _ in comparisons(week_view(), "zh")] == ["previous", "last_year"]


def test_a_month_to_date_longer_than_the_month_before_names_the_shorter_days():
    # 本月 on 31 December against November's 30 days
    found = comparisons(week_view("this_month", "2026-12-01", "2026-12-31"), "zh")
    assert found[0] == ("previous", "环比(上期30天)")


def test_a_figure_not_final_yet_says_so_instead_of_a_change():
    fig = figures(0, 3, 3)
    card = figure_card("评选最美旅游警察", "count", "名", fig, "zh", "k", target_id="nominations.selected",
                       pending="评选进行中，结果未定，暂不比较")
    words = " ".join(texts(card))
    assert "评选进行中" in words
    assert "同比" not in words and "▼" not in words and "显著" not in words


def test_a_yuan_figure_is_written_once_with_its_unit_not_twice():
    card = kpi_card("mediation.compensation_yuan", figures(48077, 40000, 30000), "zh", "k")
    words = " ".join(texts(card))
    assert "48,077" in words and "元" in words and "¥" not in words


def test_a_last_week_the_period_cuts_short_is_dotted_and_hollow_not_a_fall():
    history = weekly([190, 180, 185, 188, 192, 186, 190, 184, 187, 191, 189, 40])
    history["partial"] = [False] * 11 + [True]
    card = kpi_card("incidents.total", KpiFigures(MetricValue(40), MetricValue(190), MetricValue(180), history),
                    "zh", "k")
    svg = svg_of(card)
    solid = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(solid) == 11, "the part week is not on the solid line"
    assert 'stroke-dasharray' in svg and 'fill="#fff"' in svg
    assert "未完" in find(card, lambda c: "tpd-kpi-spark" in classes(c))[0].alt


def test_whole_weeks_only_draw_a_solid_line_with_a_filled_dot():
    svg = sparkline_svg([1, 2, 3, 4], partial_last=False)
    assert "stroke-dasharray" not in svg and 'fill="#fff"' not in svg
