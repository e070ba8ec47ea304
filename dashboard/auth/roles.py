"""Roles: which pages each may open, what it may do on them, and which units it sees.

Pages are named by their module (`dashboard/pages/<name>.py`). A page that no
role below lists is for admins only, so a new page stays closed until it is
given to a role here. Capabilities beyond opening a page:

- `records`: record-level tables (incident records, mediation records, the
  survey answers with their comments). Publicity staff work with charts and
  figures only.
- `admin`: the audit log and the user list (the admin page, `/admin`, which no role below lists).

Scope: a unit user sees their own unit's subtree; every other role the whole city.
"""
from __future__ import annotations

from dataclasses import dataclass

ANALYTIC_PAGES = frozenset({"overview", "briefing", "staffing", "map", "incidents", "mediation", "satisfaction",
                            "nominations"})
# Each role that reads the 周报 may subscribe to it (its own subscriptions page).
SUBSCRIBING_PAGES = ANALYTIC_PAGES | {"subscriptions"}
# Pages every signed-in role may open: the "no such page" answer holds no data.
EVERY_ROLE_PAGES = frozenset({"not_found_404"})


@dataclass(frozen=True)
class Role:
    name: str
    zh: str
    en: str
    pages: frozenset[str] | None          # None: every page
    capabilities: frozenset[str]
    unit_scoped: bool = False


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("admin", "管理员", "Administrator", None, frozenset({"records", "admin"})),
    Role("leader", "领导", "Leadership", SUBSCRIBING_PAGES, frozenset({"records"})),
    Role("opinion", "舆情", "Public opinion", frozenset({"overview", "satisfaction", "nominations"}),
         frozenset({"records"})),
    Role("publicity", "宣传", "Publicity", SUBSCRIBING_PAGES, frozenset()),
    Role("unit", "单位", "Unit commander", SUBSCRIBING_PAGES, frozenset({"records"}), unit_scoped=True),
)}
NAMES = tuple(ROLES)
# The record-level tables (component ids): the `records` capability shows and exports them.
RECORD_TABLES = frozenset({"incidents-records", "mediation-records", "satisfaction-comments"})


def get(name: str) -> Role:
    return ROLES[name]


def may_open(role: str, page: str) -> bool:
    r = ROLES.get(role)
    return r is not None and (r.pages is None or page in r.pages or page in EVERY_ROLE_PAGES)


def may(role: str, capability: str) -> bool:
    r = ROLES.get(role)
    return r is not None and capability in r.capabilities


def answer_class(role: str) -> str:
    """What of a role a page's answers depend on, for keying cached answers: its capabilities.
    Which pages a role opens is checked before any answer, and its units are in the scope, so
    roles with the same capabilities (leadership and public opinion) share answers. A unit-scoped
    role is kept apart all the same, should its scope ever be the city."""
    r = ROLES.get(role)
    if r is None:
        return f"?{role}"
    return ("+".join(sorted(r.capabilities)) or "-") + ("@unit" if r.unit_scoped else "")


def label(role: str, lang: str = "zh") -> str:
    r = ROLES.get(role)
    return role if r is None else (r.en if lang == "en" else r.zh)


def page_of_module(module: str | None) -> str | None:
    """The page a module is (`pages.incidents` → `incidents`); None for shared code."""
    if not module:
        return None
    for prefix in ("pages.", "dashboard.pages."):
        if module.startswith(prefix):
            return module[len(prefix):].split(".")[0]
    return None


def may_export(role: str, what: str) -> bool:
    """May `role` download `what`: a chart or table id (`<page>-…`) or a page (a pack of its charts)?

    Only what the role may see on the page: its page must be one the role may open (an id
    naming no page is for admins only), and a record-level table needs `records`."""
    page = what.split("-", 1)[0]
    if not may_open(role, page):
        return False
    return what not in RECORD_TABLES or may(role, "records")
