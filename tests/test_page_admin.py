"""The admin page (/admin): the audit log and the users, for administrators only.

Through the Flask test client, as a browser asks: an administrator opens the
page and its callback answers the audit log and the users; every other role
gets the 403 page, a refused callback and a refused download; the data page
links administrators to it.
"""
from __future__ import annotations

import json

import pytest

from tests.builders.accounts import dash_test_client
from tests.builders.demo import LOG_PERIOD

OTHER_ROLES = ("leader", "opinion", "publicity", "unit")
ADMIN_GRIDS = {"output": "..data-audit.columnDefs...data-audit.rowData...data-users.columnDefs...data-users.rowData..",
               "outputs": [{"id": g, "property": p} for g in ("data-audit", "data-users") for p in ("columnDefs", "rowData")],
               "inputs": [{"id": "admin-view", "property": "data", "value": "?" + LOG_PERIOD}],
               "changedPropIds": ["admin-view.data"], "state": []}


@pytest.fixture(scope="module")
def app(demo_db):
    from dashboard.app import create_app
    return create_app(demo_db)


def _answer(client):
    return client.post("/_dash-update-component", data=json.dumps(ADMIN_GRIDS), content_type="application/json")


def test_an_admin_opens_the_admin_page_and_reads_the_audit_log_and_the_users(app):
    client = dash_test_client(app, "admin")
    assert client.get("/admin", headers={"Accept": "text/html"}).status_code == 200
    answer = _answer(client)
    assert answer.status_code == 200
    grids = answer.get_json()["response"]
    assert any(row["username"] == "tc-admin" for row in grids["data-users"]["rowData"])
    assert grids["data-audit"]["columnDefs"][0]["field"] == "at"


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_gets_the_403_page_and_no_audit_log(app, branch, role):
    client = dash_test_client(app, role, branch if role == "unit" else None)
    page = client.get("/admin?lang=en", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "may not open this page" in page.get_data(as_text=True)
    assert _answer(client).status_code == 403
    assert client.get(f"/download/table/data-audit.csv?{LOG_PERIOD}").status_code == 403
    assert client.get(f"/download/table/data-users.csv?{LOG_PERIOD}").status_code == 403


def test_the_admin_page_keeps_the_grids_ids_and_download_links_of_the_data_page(app):
    client = dash_test_client(app, "admin")
    for grid_id in ("data-audit", "data-users"):
        response = client.get(f"/download/table/{grid_id}.csv?{LOG_PERIOD}")
        assert response.status_code == 200 and response.mimetype == "text/csv", grid_id


@pytest.mark.usefixtures("as_admin")
def test_the_data_page_links_admins_to_the_admin_page_and_no_longer_shows_the_audit_log(app):
    from dashboard.pages import data

    layout = data.layout(period="this_month", lang="en")
    ids = {c.id for c in layout._traverse() if isinstance(getattr(c, "id", None), str)}
    link = next(c for c in layout._traverse() if getattr(c, "id", None) == "data-admin-link")
    assert link.href == "/admin?period=this_month&lang=en"
    assert "data-audit" not in ids and "data-users" not in ids


def test_the_admin_page_is_for_admins_only_and_not_in_the_navbar():
    import dash

    from dashboard.auth.roles import ROLES, may_open
    assert [name for name in ROLES if may_open(name, "admin")] == ["admin"]
    entry = next(p for p in dash.page_registry.values() if p["module"].endswith("pages.admin"))
    assert entry["path"] == "/admin" and entry["in_navbar"] is False


def test_the_admin_page_shows_failed_deliveries_and_the_schedulers_lease(app):
    from dashboard.auth import store
    from warehouse.users_store import Delivery, Event
    users = store.users_store()
    claim = users.claim_delivery(Delivery("briefing", "city", "2026-11-16/2026-11-22#zh.pdf", "mail",
                                          "wang@police.example.cn", "t-leader", "周报"), "2026-11-23T00:00:00Z", 5)
    users.finish_delivery(claim.id, "abandoned", Event("delivery.abandoned"), error="550 mailbox unavailable")
    users.acquire_lease("scheduler", "node-a:4242", 60)
    client = dash_test_client(app, "admin")
    page = client.get("/admin", headers={"Accept": "text/html"})
    assert page.status_code == 200
    import sys

    import dash

    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    entry = next(p for p in dash.page_registry.values() if p["module"].endswith("pages.admin") and "layout" in p)
    with acting_as(make_user("admin")):
        text = str(sys.modules[entry["module"]].deliveries_card("zh"))
    assert "550 mailbox unavailable" in text and "abandoned" in text and "node-a:4242" in text
    users.release_lease("scheduler", "node-a:4242")
