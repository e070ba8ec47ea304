"""The Dash app: pages from `dashboard/pages`, the shell, assets served locally.

`create_app(db)` points the query layer at a warehouse and builds the app,
with the Flask routes of the downloads (/download/…) and the print view;
`server` is the Flask app for gunicorn (`dashboard.wsgi:server`).
"""
from __future__ import annotations

from pathlib import Path

import dash

from dashboard import theme  # noqa: F401  (registers the Plotly template)
from dashboard.briefing import routes as briefing_routes
from dashboard.components.shell import shell
from dashboard.queries import db
from dashboard.text import t

HERE = Path(__file__).parent


def create_app(db_path: Path | str | None = None) -> dash.Dash:
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
    briefing_routes.register(app.server)
    return app
