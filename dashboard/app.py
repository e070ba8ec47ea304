"""The Dash app: pages from `dashboard/pages`, the shell, assets served locally.

`create_app(db)` points the query layer at a warehouse and builds the app
(with the export downloads under /download/ and the briefing's print view),
every route of it behind sign-in (`dashboard.auth`; the users database lives
beside the warehouse unless `users_db` or `TPD_USERS_DB` says otherwise);
`server` is the Flask app for gunicorn (`dashboard.wsgi:server`).
"""
from __future__ import annotations

from pathlib import Path

import dash

from dashboard import auth, theme  # noqa: F401  (theme registers the Plotly template)
from dashboard.briefing import routes as briefing_routes
from dashboard.components.shell import shell
from dashboard.exports import routes as export_routes
from dashboard.queries import db
from dashboard.text import t
from warehouse.config import default_users_db_path

HERE = Path(__file__).parent


def create_app(db_path: Path | str | None = None, users_db: Path | str | None = None) -> dash.Dash:
    if db_path is not None:
        db.configure(db_path)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title=t("app.title"),
        update_title=None,
    )
    app.layout = lambda: shell(dash.page_container)
    export_routes.register(app.server)    # /download/…: chart images, publicity packs, table files
    briefing_routes.register(app.server)  # /download/briefing.*, /briefing/print
    auth.install(app, users_db or default_users_db_path(db_path))
    return app
