"""The shell and the filter bar as functions: what a person reads around every page.

The top of a unit user's scope is their own unit (never 全市), the unit tree
is indented in the option list only, Dash's own words in the dropdowns and
the date picker follow the UI language, the navbar lists only the pages a
role may open (and never the 404 page), and a page's controls rendering do
not rewrite its URL.
"""
from __future__ import annotations

import datetime as dt

import pytest
from dash import no_update

from tests.conftest import make_user
from tests.dashboard_fixtures import demo_db  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("as_admin")


@pytest.fixture(scope="module")
def app(demo_db):  # noqa: F811
    from dashboard.app import create_app
    return create_app(demo_db)


def _branch_and_child():
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    df = reference.units(Scope.city())
    branch = df[df.unit_level == "景区分局"].unit_code.iloc[0]
    child = df[df.parent_code == branch].unit_code.iloc[0]
    names = dict(zip(df.unit_code, df.unit_name))
    return branch, child, names


def _view(**changes):
    from dashboard.state import View
    return View("last_week", dt.date(2026, 11, 16), dt.date(2026, 11, 22)).with_(**changes)


def _labels(nav) -> list[str]:
    return [str(item.children) for item in nav.children[0].children]


def test_a_unit_users_drill_path_starts_at_their_unit_not_the_city(demo_db):  # noqa: F811
    from dashboard.components.filter_bar import breadcrumb
    from dashboard.model.filters import Scope
    branch, child, names = _branch_and_child()
    top = breadcrumb(_view(), Scope(branch))
    assert "全市" not in str(top) and names[branch] in str(top)
    drilled = str(breadcrumb(_view(unit=child), Scope(branch)))
    assert drilled.count(names[branch]) == 1 and names[child] in drilled and "全市" not in drilled
    assert "全市" in str(breadcrumb(_view(unit=child), Scope.city()))


def test_a_unit_users_unit_filter_is_named_for_their_unit(demo_db):  # noqa: F811
    from dashboard.components.filter_bar import filter_bar
    from dashboard.model.filters import Scope
    branch, _, names = _branch_and_child()
    with_unit = filter_bar(_view(lang="en"), Scope(branch))
    unit_filter = next(c for c in with_unit._traverse() if getattr(c, "id", None) == "filter-unit")
    assert unit_filter.placeholder == names[branch]
    city = filter_bar(_view(lang="en"), Scope.city())
    assert next(c for c in city._traverse() if getattr(c, "id", None) == "filter-unit").placeholder == "Whole city"


def test_the_unit_tree_is_indented_by_spaces_a_line_of_text_drops_so_the_chosen_unit_shows_its_bare_name(
        demo_db):  # noqa: F811
    """Full-width spaces (U+3000) are kept by a browser at the start of a line; plain spaces are
    dropped there unless the option list keeps them (tpd.css)."""
    from dashboard.components.filter_bar import INDENT, unit_options
    from dashboard.model.filters import Scope
    branch, child, names = _branch_and_child()
    options = {o["value"]: o for o in unit_options(Scope(branch), "zh")}
    assert options[branch]["label"] == names[branch] == options[branch]["search"]   # the top of the scope
    assert options[child]["label"] == INDENT + names[child] and INDENT.strip(" ") == ""
    assert not any("\u3000" in o["label"] for o in options.values())


def test_the_dropdowns_and_the_date_picker_speak_the_ui_language(demo_db):  # noqa: F811
    from dashboard.components.filter_bar import filter_bar
    from dashboard.model.filters import Scope
    zh = {getattr(c, "id", None): c for c in filter_bar(_view(), Scope.city())._traverse()}
    en = {getattr(c, "id", None): c for c in filter_bar(_view(lang="en"), Scope.city())._traverse()}
    assert zh["filter-unit"].labels["search"] == "搜索" and en["filter-unit"].labels["search"] == "Search"
    assert zh["filter-area"].labels["no_options_found"] == "没有匹配的选项"
    assert zh["filter-dates"].month_format == "YYYY年MMM" and en["filter-dates"].month_format == "MMMM YYYY"
    assert zh["filter-season"].options[0]["label"] == "全部季节"
    assert en["filter-season"].options[0]["label"] == "All seasons"


def test_the_date_pickers_chinese_locale_is_served_and_follows_the_ui_language():
    from pathlib import Path
    script = (Path(__file__).resolve().parent.parent / "dashboard" / "assets" / "datefns-locale-zh-cn.js").read_text(
        encoding="utf-8")
    assert '"十一月"' in script and '"11月"' in script and '"一", "二", "三"' in script
    assert 'get("lang") === "en"' in script


def test_the_navbar_lists_the_roles_pages_and_never_the_404_page(app):
    from dashboard.components.shell import nav_items
    from dashboard.session import acting_as
    hrefs = [item.children.href for item in nav_items("/", "?lang=en")]
    assert "/data?lang=en" in hrefs and not any("404" in h for h in hrefs)
    with acting_as(make_user("unit", "YL0003")):
        assert not any(item.children.href.startswith("/data") for item in nav_items("/", ""))


def test_the_404_page_is_in_the_readers_language_with_a_way_back(app):
    import dash
    page = next(p for p in dash.page_registry.values() if p["module"].endswith("not_found_404"))
    with_layout = page["layout"]
    assert "Page not found" in str(with_layout(lang="en")) and "?lang=en" in str(with_layout(lang="en"))
    from dashboard.session import acting_as
    with acting_as(make_user("opinion")):
        shown = str(with_layout())
    assert "页面不存在" in shown and "返回总览" in shown and "无权" not in shown


def test_a_page_rendering_its_controls_leaves_its_url_alone(app):
    """Dash fires the filter bar's callback with every control at once when a page renders: the URL
    keeps what the person wrote (the data page's default period stays implicit)."""
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from dashboard.components import filter_bar

    every = [{"prop_id": f"{cid}.{prop}", "value": None} for cid, prop in (
        ("filter-period", "value"), ("filter-dates", "start_date"), ("filter-dates", "end_date"),
        ("filter-unit", "value"))]
    one = [{"prop_id": "filter-period.value", "value": "this_month"}]
    for triggered, expected in ((every, no_update), (one, "?period=this_month")):
        token = context_value.set(AttributeDict(triggered_inputs=triggered))
        try:
            got = filter_bar.filters_to_url("this_month", None, None, None, None, "all", None, "")
        finally:
            context_value.reset(token)
        assert got == expected
