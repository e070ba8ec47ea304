"""The Dash app: pages from `dashboard/pages`, the shell, assets served locally.

`create_app(db)` points the query layer at a warehouse and builds the app
(with the export downloads under /download/ and the briefing's print view),
every route of it behind sign-in (`dashboard.auth`; the users database lives
beside the warehouse unless `users_db`, `TPD_USERS_URL` (PostgreSQL) or
`TPD_USERS_DB` says otherwise)
except /healthz for the load balancer (`dashboard.health`);
`server` is the Flask app for gunicorn (`dashboard.wsgi:server`). Building
the app opens no warehouse connection: the first request of each process
does, so gunicorn workers never share one across a fork.

Every layout, callback, download and print-view request is answered from one
published version of the warehouse, pinned when the request starts
(`db.pin`): a load that publishes while a page's callback runs cannot mix two
batches in its answer.
"""
from __future__ import annotations

from pathlib import Path

import dash
from flask import g, request

from dashboard import auth, health, plotly_bundle, shared_answers, theme, warm  # noqa: F401  (theme registers the Plotly template)
from dashboard.briefing import routes as briefing_routes
from dashboard.delivery import routes as archive_routes
from dashboard.components.grid import defer_grid_bundle
from dashboard.components.shell import shell
from dashboard.exports import routes as export_routes
from dashboard.queries import db
from dashboard.text import t
from warehouse.config import default_users_db_path

HERE = Path(__file__).parent


def create_app(db_path: Path | str | None = None, users_db: Path | str | None = None) -> dash.Dash:
    if db_path is not None:
        db.configure(db_path)
    # Named for the package, so Dash imports the pages as `dashboard.pages.*`, the modules every
    # other import names: under `dashboard.app` it would import a second copy as `pages.*`.
    app = dash.Dash(
        "dashboard",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title=t("app.title"),
        update_title=None,
    )
    app.layout = lambda: shell(dash.page_container)
    defer_grid_bundle()                   # AG Grid's script runs where a grid is shown (assets/lazy_grid.js)
    export_routes.register(app.server)    # /download/…: chart images, publicity packs, table files
    briefing_routes.register(app.server)  # /download/briefing.*, /briefing/print
    archive_routes.register(app.server)   # /briefing/archive/<id>: the 周报 as issued
    health.install(app.server)            # /healthz answers before the sign-in guard; X-TPD-Node on all
    warm.install(app)                     # counts requests (warming waits for none); started by the server
    auth.install(app, users_db or default_users_db_path(db_path))
    plotly_bundle.install(app.server)     # after sign-in's guard, which lets scripts through
    _pin_a_version_per_request(app.server)  # after sign-in: a refused request pins nothing
    shared_answers.install(app, db.warehouse().path)  # after the pin: answers are keyed by its version
    return app


DATA_ENDPOINTS = ("/_dash-update-component", "/_dash-layout")
DOWNLOADS = ("/download/", "/briefing/")


def _pin_a_version_per_request(server) -> None:
    @server.before_request
    def pin_version():
        if request.path.endswith(DATA_ENDPOINTS) or any(d in request.path for d in DOWNLOADS):
            g.tpd_pin = db.pin()

    @server.teardown_request
    def unpin_version(_exc):
        token = g.pop("tpd_pin", None)
        if token is not None:
            db.unpin(token)
