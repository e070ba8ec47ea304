"""gunicorn settings for the dashboard: `gunicorn -c gunicorn.conf.py dashboard.wsgi:server`.

./serve.sh runs exactly that. Every setting can be changed from the environment:

  TPD_BIND          address to listen on (default 127.0.0.1:8050, or TPD_HOST:TPD_PORT)
  TPD_WEB_WORKERS   worker processes (default: the cores available, at least 2)
  TPD_WEB_THREADS   request threads per worker (default 8)
  TPD_WEB_TIMEOUT   seconds a request may take before its worker is restarted (default 120)
  TPD_WEB_KEEPALIVE seconds an idle connection is kept open for the client's next request (default 75)
  TPD_CONTROL_SOCKET  path of gunicorn's control socket for `gunicornc` (default: none)

Workers import the app after they fork (no `preload_app`): nothing of DuckDB
is ever carried across a fork. Each worker sizes its DuckDB reader from
TPD_WEB_WORKERS (exported here for them): its share of the cores and memory,
see warehouse/config.py. The `Server` header is not sent: a response does not
advertise what serves it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from warehouse.config import cpu_count  # noqa: E402

bind = [os.environ.get("TPD_BIND")
        or f"{os.environ.get('TPD_HOST', '127.0.0.1')}:{os.environ.get('TPD_PORT', '8050')}"]
workers = int(os.environ.get("TPD_WEB_WORKERS") or max(2, cpu_count()))
os.environ["TPD_WEB_WORKERS"] = str(workers)  # the workers size their DuckDB from it
worker_class = "gthread"
threads = int(os.environ.get("TPD_WEB_THREADS") or 8)
timeout = int(os.environ.get("TPD_WEB_TIMEOUT") or 120)  # an uncached page on a 10M warehouse takes seconds
graceful_timeout = 30
# The client must be the one to close an idle connection: a server that closes it first races
# the client's next request on it, which is then cut off ("Server disconnected without sending
# a response"; seen under the load test with gunicorn's 5 s against httpx's 5 s). So the server
# keeps idle connections longer than its clients reuse them: nginx's upstream pool
# (deploy/nginx.conf: 4 s), HTTP clients such as the load test's (httpx: 5 s); a browser
# served directly may keep one longer, and resends a request cut off on a reused connection.
# gthread workers park idle connections in their poller, not on a thread: a socket each.
keepalive = int(os.environ.get("TPD_WEB_KEEPALIVE") or 75)
preload_app = False
proc_name = "tpd-dashboard"
# gunicorn's control socket defaults to one path per user: two dashboards (or a test
# beside production) would fight over it. Off unless a path is given.
control_socket = os.environ.get("TPD_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("TPD_LOG_LEVEL", "info")
# Headers a browser sends stay far below these; a request larger is refused (400).
limit_request_line = 8190
limit_request_fields = 100


def _no_server_banner() -> None:
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "_tpd_no_banner", False):
        return

    def without_server(self):
        return [h for h in default_headers(self) if not h.lower().startswith("server:")]

    without_server._tpd_no_banner = True
    wsgi.Response.default_headers = without_server


_no_server_banner()


def post_fork(server, worker):
    worker.log.info("worker %s: DuckDB readers open after the fork", worker.pid)


def post_worker_init(worker):
    """Each worker, once it has imported the app (after the fork), reads what the pages
    read in the background, so the first page of the day is not the slow one, and starts
    its warming thread: the worker that claims a version first computes the default views
    into the shared answers."""
    from dashboard.queries.db import warm_up_in_background
    from dashboard.warm import start_warming
    from dashboard.wsgi import app

    warm_up_in_background()
    start_warming(app)   # one worker of the nodes warms the shared answers after each publish (dashboard/warm.py)
