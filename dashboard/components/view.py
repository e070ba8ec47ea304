"""Build the View of a request from its query arguments, against what the scope may see."""
from __future__ import annotations

from urllib.parse import parse_qsl

from dashboard.clock import today
from dashboard.model.filters import Scope
from dashboard.queries import reference
from dashboard.state import View, parse_view


def view_from_args(args: dict, scope: Scope, default_period: str = "last_week",
                   extra_allowed: dict | None = None) -> View:
    return parse_view(
        args, today=today(), default_period=default_period,
        units=set(reference.units(scope).unit_code.tolist()), areas=set(reference.areas(scope).area_code.tolist()),
        extra_allowed=extra_allowed,
    )


def args_from_search(search: str | None) -> dict:
    return dict(parse_qsl((search or "").lstrip("?")))

