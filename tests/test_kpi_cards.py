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
from tests.builders.components import find, texts

WEEKS = pd.date_range("2026-08-31", periods=12, freq="7D")


def weekly(values) -> pd.DataFrame:
    return pd.DataFrame({"key": WEEKS[:len(values)], "value": values, "n": [100] * len(values)})


def figures(now, previous, last_year, n=(None, None, None), history=(5, 6, 7, 6, 5, 6, 7, 8, 6, 5, 6, 7)):
    return KpiFigures(MetricValue(now, n[0]), MetricValue(previous, n[1]), MetricValue(last_year, n[2]),
                      weekly(list(history)))


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


@pytest.mark.parametrize("metric_id, fmt, change, zh, en", [
    ("incidents.response_median_min", "minutes", (0.2, 0.02), "+0.2分钟", "+0.2 min"),
    ("incidents.per_10k_visitors", "per10k", (1.26, 0.11), "+1.26", "+1.26"),
    ("incidents.same_day_rate", "rate", (-0.012, None), "\u22121.2个百分点", "\u22121.2 pp"),
])
def test_a_change_is_written_the_same_way_on_the_card_and_in_the_briefing(metric_id, fmt, change, zh, en):
    """Times, rates per 10,000 visitors and scores change by how much in their unit, rates in
    percentage points: the card's 到场时间 环比 reads +0.2分钟 as the briefing does, not +2 %."""
    from dashboard.model.judgements import Change
    from dashboard.briefing.quantities import change_cell
    from dashboard.components.kpi import change_text

    ch = Change(*change, None)
    for lang, expected in (("zh", zh), ("en", en)):
        assert change_text(fmt, ch, lang) == expected
        assert change_cell(metric_id, ch, lang).text == expected


def test_the_convention_for_changes_is_stated_under_the_briefing_and_on_the_card():
    from dashboard.text import t

    assert "到场时间、评分和每万名游客警情为增减值" in t("briefing.note.change", "zh", base=10)
    assert "by how much" in t("briefing.note.change", "en", base=10)
    assert "到场时间、评分和每万名游客警情为增减值" in t("kpi.change_rule", "zh")


def definition_of(card):
    """The 口径 popover of a card: its heading, its (term, text) pairs and its link, if any."""
    popover = find(card, lambda c: type(c).__name__ == "Popover")[0]
    terms = find(popover, lambda c: type(c).__name__ == "Dt")
    defs = find(popover, lambda c: type(c).__name__ == "Dd")
    links = find(popover, lambda c: type(c).__name__ == "Link")
    head = texts(find(popover, lambda c: type(c).__name__ == "PopoverHeader")[0])
    return popover, "".join(head), {texts(d)[0]: texts(v)[0] for d, v in zip(terms, defs)}, links


def test_a_tap_on_a_cards_head_shows_what_it_counts_from_which_records_over_which_days_and_n_in_chinese():
    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    with acting_as(make_user("leader")):
        card = kpi_card("survey.satisfaction_rate", figures(0.9, 0.8, 0.8, n=(1234, 1000, 900)), "zh", "k",
                        view=week_view())
    popover, head, lines, links = definition_of(card)
    assert popover.target == "k-head" and popover.trigger == "legacy"
    assert find(card, lambda c: getattr(c, "id", None) == "k-head") and find(card, lambda c: getattr(c, "id", None) == "k-info")
    assert head == "满意率的口径"
    assert lines == {"统计什么": "满意度题答 4 或 5 分的问卷占作答该题问卷的比例（附 95% 置信区间）",
                     "来源记录": "满意度调查问卷",
                     "时段": "2026-11-16 至 2026-11-22，含首尾两日（按提交时间计入）",
                     "样本量 n": "1,234 条记录"}
    assert texts(links[0]) == ["查看明细记录：满意度调查 ›"]
    assert links[0].href == "/satisfaction?period=last_week#satisfaction-comments"


def test_the_definition_reads_in_english_and_a_stock_counts_what_is_active_on_the_last_day():
    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    view = View("this_month", dt.date(2026, 11, 1), dt.date(2026, 11, 23), unit="YL0003", lang="en")
    with acting_as(make_user("leader")):
        rate = kpi_card("incidents.same_day_rate", figures(0.9, 0.8, 0.8, n=(321, 300, 300)), "en", "k", view=view)
        stock = kpi_card("staff.auxiliary", figures(40, 38, 30), "en", "s", view=view)
    _, head, lines, links = definition_of(rate)
    assert head == "What Closed the same day counts"
    assert lines == {"What it counts": "share of incidents closed on the day they were received (unclosed count as not)",
                     "Records": "tourism incident records",
                     "Dates": "2026-11-01 to 2026-11-23, both days included (by time received)",
                     "n": "321 records"}
    assert links[0].href == "/incidents?period=this_month&unit=YL0003&lang=en#incidents-records"
    assert texts(links[0]) == ["See the records: Incidents ›"]
    _, _, lines, links = definition_of(stock)
    assert lines["Dates"] == "those active on 2026-11-23 (a stock at the end of the period)"
    assert lines["n"] == "the figure itself (each record counts once)"
    assert texts(links[0]) == ["Open Staffing ›"], "staffing has no record table: the link opens the page"


def test_the_definition_links_to_records_only_for_roles_that_may_see_them_and_pages_they_may_open():
    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    with acting_as(make_user("publicity")):
        card = kpi_card("incidents.total", figures(190, 175, 150), "zh", "k", view=week_view())
    _, _, _, links = definition_of(card)
    assert texts(links[0]) == ["打开警情处置页 ›"] and "#" not in links[0].href
    with acting_as(make_user("opinion")):
        card = kpi_card("incidents.total", figures(190, 175, 150), "zh", "k", view=week_view())
    assert definition_of(card)[3] == [], "opinion may not open the incidents page: no link"


def test_every_catalog_figure_says_what_it_counts_in_both_languages():
    from dashboard.components.definition import definition_lines
    from dashboard.model.catalog import BY_ID, MEDIATION_PAGE_METRICS
    for metric_id in [*BY_ID, *MEDIATION_PAGE_METRICS]:
        for lang in ("zh", "en"):
            lines = dict(definition_lines(metric_id, None, week_view(), lang))
            assert all(text.strip() for text in lines.values()), (metric_id, lang, lines)
            assert len(lines) >= 3, (metric_id, lang, lines)
