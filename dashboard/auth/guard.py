"""The server side of access control: every route closed unless signed in, pages and callbacks by role.

`install(app)` plugs into the Dash app's Flask server:

- a `before_request` hook that loads the signed-in user from the session the
  cookie names (`dashboard.auth.sessions`: kept server-side, ended by signing
  out, a disable or a password reset) and refuses everything else: only
  `/login`, `/logout`, the two stylesheets the sign-in page uses and the favicon are open. Routes added later (downloads,
  exports) are closed by default without doing anything.
- any request that is not GET/HEAD/OPTIONS needs the session's CSRF token
  (form field or `X-CSRFToken` header; Dash's renderer sends the header).
- a page path the user's role may not open is refused (403) when requested,
  and rendered as a refusal when the Dash router asks for its layout.
- a callback request (`/_dash-update-component`) must name a known callback
  of a page the role may open, with exactly that callback's inputs and state,
  each of the kind its property holds (text, number, click data ...); the
  values' meaning is validated where they are used (`view_from_store`).
- refusals answer with their status and a bilingual JSON message, never a
  500; those of a role (403) and of a unit or area outside the user's scope
  (400, `OutOfScope`) are written to the audit log. A callback body that is
  not a JSON object or nests deeper than `MAX_JSON_DEPTH` is a 400; an
  address under /download/, /briefing/ or /_… that names nothing (which
  Dash would answer with the app's page) and a script path naming no file
  Dash serves are 404s. Unexpected errors answer a bilingual 500 without a
  traceback.
- security headers on every answer (CSP, frame-ancestors, nosniff …), no
  caching of anything but static files, no server banner.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from urllib.parse import urlencode

import dash
from dash.exceptions import DependencyException
from flask import Response, g, jsonify, redirect, request, session
from werkzeug.exceptions import HTTPException

from dashboard.auth import audit, csrf, roles, sessions, store, views
from dashboard.auth.roles import page_of_module
from dashboard.auth.current import current_user
from dashboard.refusals import Forbidden, NotSignedIn, Refusal, Unknown
from dashboard.text import t
from warehouse.users_store import StoreUnavailable

log = logging.getLogger("tpd.auth")

CALLBACK_PATH = "/_dash-update-component"
OPEN_PATHS = frozenset({"/login", "/logout", "/assets/00_bootstrap.min.css", "/assets/auth.css", "/_favicon.ico"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
MAX_BODY = 2 * 1024 * 1024


def content_security_policy(app: dash.Dash) -> str:
    """Scripts only from this site plus the hashes of Dash's own inline scripts; no eval.

    Dash 4, Plotly and AG Grid (its `{"function": ...}` formatters go through a parser, not eval)
    run without 'unsafe-eval'; styles need 'unsafe-inline' because AG Grid and Plotly inject
    <style> elements. The hashes are computed per answer: Dash adds the pages' clientside
    title callback at the first request."""
    scripts = " ".join(["'self'", *app.csp_hashes()])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",   # AG Grid and Plotly inject <style> elements
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


# ---- the kinds of value a callback input may hold, by property --------------------------------

def _text(value, limit=4000) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= limit)


def _scalar(value) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or _text(value)


def _count(value) -> bool:
    return value is None or (isinstance(value, int) and value >= 0)


def _flag(value) -> bool:
    return value is None or isinstance(value, bool)


def _plotly_event(value) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    points = value.get("points", [])
    return isinstance(points, list) and len(points) <= 100_000 and all(isinstance(p, dict) for p in points)


def _dict(value) -> bool:
    return value is None or isinstance(value, dict)


def _rows(value) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(r, dict) for r in value))


def _value(value) -> bool:
    if isinstance(value, list):
        return len(value) <= 500 and all(_scalar(v) for v in value)
    return _scalar(value)


# A callback input on a property missing here is refused: add its kind when a page needs one.
KINDS = {
    "data": _text,               # the pages' view stores hold the view's query string
    "pathname": _text, "search": _text, "hash": _text, "href": _text,
    "value": _value,
    "n_clicks": _count, "n_clicks_timestamp": _count, "n_submit": _count,
    "start_date": _text, "end_date": _text, "date": _text,
    "clickData": _plotly_event, "selectedData": _plotly_event, "hoverData": _plotly_event,
    "cellClicked": _dict, "selectedRows": _rows,
    "active_tab": _text, "is_open": _flag, "checked": _flag,
}


def _outputs_of(output: str) -> list[tuple[str, str]]:
    """(id, property) of each output named in a callback's output key (allow_duplicate suffixes dropped)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    out = []
    for part in parts:
        cid, _, prop = part.rpartition(".")
        out.append((cid, prop.split("@")[0]))
    return out


def check_callback_body(entry: dict, body: dict, output: str) -> str | None:
    """What is wrong with a callback request against the callback's declaration; None when nothing."""
    for key, spec_key in (("inputs", "inputs"), ("state", "state")):
        sent = body.get(key, [])
        spec = entry.get(spec_key, [])
        if not isinstance(sent, list) or len(sent) != len(spec):
            return f"{key}: expected {len(spec)} items"
        for item, want in zip(sent, spec):
            if not isinstance(item, dict) or item.get("id") != want["id"] or item.get("property") != want["property"]:
                return f"{key}: expected {want['id']}.{want['property']}"
            kind = KINDS.get(want["property"])
            if kind is None:
                return f"{want['id']}.{want['property']}: no declared kind"
            if not kind(item.get("value")):
                return f"{want['id']}.{want['property']}: not a value this input holds"
    outputs = body.get("outputs")
    wanted = _outputs_of(output)
    sent = outputs if isinstance(outputs, list) else [outputs]
    if output.startswith("..") != isinstance(outputs, list) or len(sent) != len(wanted):
        return "outputs: not this callback's outputs"
    for item, (cid, prop) in zip(sent, wanted):
        if not isinstance(item, dict) or item.get("id") != cid or str(item.get("property", "")).split("@")[0] != prop:
            return "outputs: not this callback's outputs"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and len(c) <= 500 for c in changed):
        return "changedPropIds: not a list of property ids"
    return None


# ---- pages ------------------------------------------------------------------------------------

def page_paths() -> dict[str, str]:
    return {page["path"]: page_of_module(page["module"]) for page in dash.page_registry.values()}


def pages_for(role: str, lang: str) -> list[tuple[str, str]]:
    """(name, path) of the navbar's pages a role may open, in the navbar's order."""
    return [(t(page["name"], lang), page["path"]) for page in dash.page_registry.values()
            if page.get("in_navbar", True) and roles.may_open(role, page_of_module(page["module"]) or "")]


def _demo_banner(lang: str) -> str | None:
    try:
        from dashboard.queries import reference
        return t("app.demo_banner", lang) if reference.is_demo() else None
    except Exception:  # no warehouse yet
        return None


def refusal_layout(role: str, lang: str):
    """The refusal in place of the page, when the router asks for a page the role may not open."""
    from dash import dcc, html
    return html.Section([
        html.P("403", className="tpd-refused-code"),
        html.H1(t("auth.forbidden_page", lang, role=roles.label(role, lang)), className="tpd-refused-title"),
        html.P(t("auth.forbidden_help", lang), className="tpd-refused-help"),
        dcc.Link(t("auth.back_home", lang), href="/" + ("?lang=en" if lang == "en" else ""),
                 className="btn btn-primary btn-sm"),
    ], className="tpd-refused", id="tpd-refused")


def _guarded_layout(name: str, layout):
    def guarded(*args, **kwargs):
        user = current_user()
        if user is None:
            raise NotSignedIn()
        if not roles.may_open(user.role, name):
            audit.record("access.refused", target=f"page:{name}", detail={"via": "router"})
            lang = kwargs.get("lang") if kwargs.get("lang") in ("zh", "en") else "zh"
            return refusal_layout(user.role, lang)
        return layout(*args, **kwargs) if callable(layout) else layout
    guarded.tpd_guarded = True
    return guarded


def guard_page_layouts() -> None:
    for module, page in dash.page_registry.items():
        if page.get("layout") is None:   # an entry with nothing to show (a module imported twice)
            continue
        if not getattr(page.get("layout"), "tpd_guarded", False):
            page["layout"] = _guarded_layout(page_of_module(module) or module, page.get("layout"))


# ---- the hooks --------------------------------------------------------------------------------

def _refuse(refusal: Refusal):
    response = jsonify(refusal.as_json())
    response.status_code = refusal.status
    return response


def _wants_page() -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith("/_") \
        and "text/html" in request.headers.get("Accept", "text/html")


def _load_user() -> None:
    g.tpd_user = None
    g.tpd_expired = False
    token = session.get("s")
    if not token and "u" not in session:   # "u": a cookie from before sessions were kept server-side
        return
    user = sessions.user_of_session(token)
    if user is None:
        session.clear()
        session["ended"] = 1   # so the sign-in page can say why, even after a callback saw it first
        g.tpd_expired = True
        return
    g.tpd_user = user


def install(app: dash.Dash, users_db=None) -> None:
    server = app.server
    store.configure(users_db)
    secure = os.environ.get("TPD_SECURE_COOKIES", "") not in ("", "0", "false", "no")
    server.secret_key = store.secret_key()
    server.config.update(
        SESSION_COOKIE_NAME="tpd_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=sessions.SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=True,
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    if hops := int(os.environ.get("TPD_PROXY_HOPS", "0") or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    views.register(server)
    guard_page_layouts()

    def guard_callback(user: store.User):
        try:
            body = request.get_json(silent=True)
        except RecursionError:   # nested past what the JSON decoder will follow
            body = None
        if not isinstance(body, dict) or too_deep(body):
            return _refuse(_bad("请求不是有效的 JSON 对象（或嵌套过深）",
                                "the request is not a JSON object (or is nested too deep)"))
        output = body.get("output")
        entry = app.callback_map.get(output) if isinstance(output, str) else None
        if entry is None or "callback" not in entry:
            return _refuse(_bad("没有这个回调", "no such callback"))
        page = page_of_module(getattr(entry["callback"], "__module__", None))
        if page and not roles.may_open(user.role, page):
            audit.record("access.refused", target=f"page:{page}",
                         detail={"via": "callback", "output": output.split("@")[0][:200]})
            return _refuse(Forbidden(f"您的角色无权访问此页面的数据（{page}）",
                                     f"your role may not read this page's data ({page})"))
        problem = check_callback_body(entry, body, output)
        if problem:
            return _refuse(_bad(f"回调请求的参数无效：{problem}", f"invalid callback request: {problem}"))
        return None

    @server.before_request
    def before():
        _load_user()
        path = request.path
        if path in OPEN_PATHS:
            return None
        user = g.tpd_user
        if user is None:
            if _wants_page():
                query = {"next": request.full_path.rstrip("?")}
                if g.tpd_expired or session.pop("ended", None):
                    query["expired"] = 1
                return redirect("/login?" + urlencode(query), code=303)
            return _refuse(NotSignedIn())
        if request.method not in SAFE_METHODS and not (csrf.header_ok() or csrf.form_ok()):
            return _refuse(Forbidden("请求缺少有效的 CSRF 令牌", "the request has no valid CSRF token"))
        if user.must_change and path != "/password" and not path.startswith(STATIC_PREFIXES):
            if _wants_page():
                return redirect("/password?" + urlencode({"next": request.full_path.rstrip("?")}), code=303)
            return _refuse(Forbidden("请先修改一次性密码", "change your one-time password first"))
        if path == CALLBACK_PATH:
            return guard_callback(user)
        if _unknown_route(path):
            return _not_found(path)
        page = page_paths().get(path)
        if page and request.method in ("GET", "HEAD") and not roles.may_open(user.role, page):
            audit.record("access.refused", target=f"page:{page}", detail={"via": "url"})
            lang = request.args.get("lang") if request.args.get("lang") in ("zh", "en") else "zh"
            return views.forbidden_page(user, pages_for(user.role, lang), lang, path, _demo_banner(lang))
        return None

    @server.after_request
    def headers(response):
        h = response.headers
        h["Content-Security-Policy"] = content_security_policy(app)
        h["X-Frame-Options"] = "DENY"
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if not request.path.startswith(STATIC_PREFIXES):
            h["Cache-Control"] = "no-store"
        if secure:
            h["Strict-Transport-Security"] = "max-age=31536000"
        h.pop("Server", None)
        if g.get("tpd_user") is not None or session.get(csrf.SESSION_KEY):
            csrf.set_cookie(response, secure)
        return response

    @server.errorhandler(Refusal)
    def refused(refusal: Refusal):
        if refusal.audit and not refusal.audited and g.get("tpd_user") is not None:
            detail = {}
            if request.path == CALLBACK_PATH:
                body = request.get_json(silent=True)
                output = body.get("output") if isinstance(body, dict) else None
                detail["output"] = output.split("@")[0][:200] if isinstance(output, str) else None
            audit.refused(refusal.en, refusal.status, **detail)
        return _refuse(refusal)

    @server.errorhandler(StoreUnavailable)
    def store_unavailable(error):
        # Nothing was read or written: a sign-in, a session check or an audit entry could not be made,
        # so the request is refused whole (an export is not sent unrecorded).
        log.warning("users store unavailable on %s: %s", request.path, error)
        form_post = request.mimetype == "application/x-www-form-urlencoded" \
            and "text/html" in request.headers.get("Accept", "text/html")     # sign-in, password change
        if _wants_page() or form_post:
            lang = request.values.get("lang") if request.values.get("lang") in ("zh", "en") else "zh"
            return views.store_unavailable_page(lang)
        response = jsonify({"error": "Unavailable", "status": 503, "zh": StoreUnavailable.zh,
                            "en": StoreUnavailable.en,
                            "message": f"{StoreUnavailable.zh} / {StoreUnavailable.en}"})
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @server.errorhandler(Exception)
    def unexpected(error):
        if isinstance(error, HTTPException):
            return error
        if isinstance(error, DependencyException):   # a script path naming no file Dash serves
            return _not_found(request.path)
        log.exception("unexpected error on %s", request.path)
        response = jsonify({"error": "InternalError", "status": 500, "zh": "服务器内部错误，已记录",
                            "en": "internal server error, logged",
                            "message": "服务器内部错误，已记录 / internal server error, logged"})
        response.status_code = 500
        return response


# Dash answers any path it has no route for with the app's page; under these prefixes a path
# names a file or an endpoint, and one that does not exist is a 404.
CATCH_ALL = "/<path:path>"
RESERVED_PREFIXES = ("/download/", "/briefing/", "/_")
MAX_JSON_DEPTH = 32     # a callback body is a handful of levels deep (Plotly click data included)


def _unknown_route(path: str) -> bool:
    rule = request.url_rule
    named = path == "/download" or path.startswith(RESERVED_PREFIXES)
    return named and (rule is None or rule.rule == CATCH_ALL)


def _not_found(path: str):
    zh, en = "没有这个地址", "no such address"
    if path.startswith(("/download", "/briefing/")):   # a link a person followed: plain text, as the downloads answer
        return Response(f"{zh}：{path[:200]} / {en}: {path[:200]}\n", status=404,
                        content_type="text/plain; charset=utf-8")
    return _refuse(Unknown(zh, en))


def too_deep(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a parsed JSON value nests lists and objects deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _bad(zh: str, en: str):
    from dashboard.refusals import InvalidInput
    return InvalidInput(zh, en)
