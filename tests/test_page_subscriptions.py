"""The subscriptions page (/subscriptions, 订阅): a user's own subscriptions, within what they may see.

Through the Flask test client as the browser asks (the page, then its callback); the rules of
`dashboard.delivery.manage` refuse in both languages what may not be subscribed.
"""
from __future__ import annotations

import json

import pytest

from dashboard.auth import store
from tests.builders.accounts import dash_test_client

P = "subscriptions"
STATES = ("lang", "kind", "unit", "area", "weekday", "hour", "format", "sub-lang", "email", "gateway", "webhook",
          "remove-which")


@pytest.fixture(scope="module")
def app(demo_db):
    from dashboard.app import create_app
    return create_app(demo_db)


def submit(client, lang="zh", kind="briefing", unit="", area="", weekday=0, hour=8, fmt="pdf", sub_lang="zh",
           email="li@police.example.cn", gateway=False, webhook="", remove=None):
    values = (lang, kind, unit, area, weekday, hour, fmt, sub_lang, email, gateway, webhook, remove)
    pressed = "remove" if remove is not None else "submit"
    body = {"output": f"..{P}-list.children...{P}-message.children...{P}-remove-which.options..."
                      f"{P}-remove-row.hidden..",
            "outputs": [{"id": f"{P}-list", "property": "children"}, {"id": f"{P}-message", "property": "children"},
                        {"id": f"{P}-remove-which", "property": "options"},
                        {"id": f"{P}-remove-row", "property": "hidden"}],
            "inputs": [{"id": f"{P}-{b}", "property": "n_clicks", "value": 1 if b == pressed else 0}
                       for b in ("submit", "remove")],
            "changedPropIds": [f"{P}-{pressed}.n_clicks"],
            "state": [{"id": f"{P}-{name}", "property": "data" if name == "lang" else "value", "value": value}
                      for name, value in zip(STATES, values)]}
    answer = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return json.dumps(answer.get_json()["response"], ensure_ascii=False)


def remove_row_hidden(answer: str) -> bool:
    return json.loads(answer)[f"{P}-remove-row"]["hidden"]


def test_a_unit_user_subscribes_to_their_units_briefing_and_sees_it_listed(app, branch):
    client = dash_test_client(app, "unit", branch)
    assert client.get(f"/{P}", headers={"Accept": "text/html"}).status_code == 200
    answer = submit(client, fmt="docx")
    assert "已添加订阅" in answer and "li@police.example.cn" in answer and "DOCX" in answer
    [sub] = store.users_store().subscriptions(f"tc-unit-{branch}".lower())
    assert (sub.unit_code, sub.weekday, sub.hour, sub.format) == (branch, 0, 8, "docx")
    assert "已退订" in submit(client, remove=sub.id)
    assert store.users_store().subscriptions(f"tc-unit-{branch}".lower()) == []


def test_the_chooser_to_end_a_subscription_shows_only_while_there_is_one(app, branch):
    client = dash_test_client(app, "unit", branch)
    page = client.get(f"/{P}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    added = submit(client)
    assert remove_row_hidden(added) is False
    [sub] = store.users_store().subscriptions(f"tc-unit-{branch}".lower())
    assert remove_row_hidden(submit(client, remove=sub.id)) is True


def test_a_unit_user_cannot_subscribe_to_another_unit_or_a_webhook_of_their_own(app, branch):
    client = dash_test_client(app, "unit", branch)
    assert "超出您的权限" in submit(client, unit="YL0001")
    assert "只有管理员" in submit(client, webhook="http://10.0.0.9/hook")
    assert "Not an email address" in submit(client, lang="en", email="not-an-address")
    assert store.users_store().subscriptions(f"tc-unit-{branch}".lower()) == []


def test_a_role_that_does_not_read_the_briefing_cannot_open_the_page(app):
    client = dash_test_client(app, "opinion")
    assert client.get(f"/{P}", headers={"Accept": "text/html"}).status_code == 403
