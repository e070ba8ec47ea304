"""Build the View of a request from its query arguments, against what the scope may see."""
from __future__ import annotations

from urllib.parse import parse_qsl

from dashboard.clock import today
from dashboard.model.filters import Scope
from dashboard.queries import reference
from dashboard.state import View, parse_view
from dashboard.text import t


def view_from_args(args: dict, scope: Scope, default_period: str = "last_week",
                   extra_allowed: dict | None = None) -> View:
    return parse_view(
        args, today=today(), default_period=default_period,
        units=set(reference.units(scope).unit_code), areas=set(reference.areas(scope).area_code),
        extra_allowed=extra_allowed,
    )


def args_from_search(search: str | None) -> dict:
    return dict(parse_qsl((search or "").lstrip("?")))


def scope_label(scope: Scope, lang: str = "zh") -> str:
    """What the top of a scope is called wherever the city would be named: 全市 for the city,
    the unit's own name for a unit user (whose figures are their subtree's, not the city's)."""
    return reference.scope_name(scope) or t("crumb.city", lang)
