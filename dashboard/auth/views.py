"""Sign-in, sign-out and password change: plain server-rendered forms, no script at all.

`/login` (GET: the form; POST: sign in), `/logout` (POST only, from the
navbar's form), `/password` (a user changes their own password; a one-time
password must be changed here before anything else opens). `forbidden_page`
is the 403 the guard answers for a page the role may not open: the app's
navbar with the pages it may open, the refusal, and the way back. Every POST
carries the session's CSRF token. A successful sign-in starts a fresh
session (new CSRF token), so a session fixed before sign-in is worthless.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import g, redirect, render_template_string, request, session

from dashboard.auth import audit, csrf, passwords, sessions, store
from dashboard.text import t

def _head(*stylesheets: str) -> str:
    """The start of a server-rendered page, up to <body>: Bootstrap and the given stylesheets."""
    sheets = ("00_bootstrap.min.css",) + stylesheets
    links = "".join(f'<link rel="stylesheet" href="/assets/{name}">\n' for name in sheets)
    return ("""<!doctype html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ app_title }}</title>
<link rel="icon" href="/_favicon.ico">
""" + links + "</head>\n")


PAGE = _head("auth.css") + """<body class="tpd-auth">
<main class="tpd-auth-card">
  <div class="tpd-auth-head">
    <h1>{{ app_title }}</h1>
    <a class="tpd-auth-lang" href="{{ switch_href }}">{{ switch_label }}</a>
  </div>
  <h2>{{ title }}</h2>
  {% for kind, text in messages %}
  <div class="alert alert-{{ kind }} py-2 small" role="alert">{{ text }}</div>
  {% endfor %}
  <form method="post" action="{{ action }}" autocomplete="on">
    <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
    <input type="hidden" name="next" value="{{ next }}">
    <input type="hidden" name="lang" value="{{ lang }}">
    {% for f in fields %}
    <div class="mb-3">
      <label class="form-label" for="{{ f.name }}">{{ f.label }}</label>
      <input class="form-control" id="{{ f.name }}" name="{{ f.name }}" type="{{ f.type }}"
             autocomplete="{{ f.autocomplete }}" value="{{ f.value }}" maxlength="256" required
             {% if loop.first %}autofocus{% endif %}>
    </div>
    {% endfor %}
    <button class="btn btn-primary w-100" type="submit">{{ submit }}</button>
  </form>
  {% if hint %}<p class="tpd-auth-hint">{{ hint }}</p>{% endif %}
</main>
</body>
</html>"""


# A page the role may not open, typed into the address bar: the app's own navbar (only the pages the
# role may open), the refusal and the way back, served by the server with its 403. No script.
FORBIDDEN_PAGE = _head("tpd.css", "auth.css") + """<body>
<nav class="tpd-navbar py-1 navbar navbar-expand-md navbar-dark" style="background-color: #1f4e8c">
  <div class="container-fluid">
    <a class="tpd-brand navbar-brand" href="{{ home }}">{{ app_title }}</a>
    <div class="me-auto navbar-nav" id="shell-nav">
      {% for name, href in pages %}
      <div class="nav-item"><a class="tpd-navlink nav-link" href="{{ href }}">{{ name }}</a></div>
      {% endfor %}
    </div>
    <form action="/logout" class="tpd-user-menu" method="POST">
      <span id="shell-user" class="tpd-user-name">{{ user_label }}</span>
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <input type="hidden" name="lang" value="{{ lang }}">
      <button id="shell-signout" class="btn btn-sm btn-outline-light" type="submit">{{ signout }}</button>
    </form>
    <a id="shell-lang" class="btn btn-sm btn-outline-light" href="{{ switch_href }}">{{ switch_label }}</a>
  </div>
</nav>
{% if demo %}<div class="tpd-demo-banner">{{ demo }}</div>{% endif %}
<main class="container-fluid tpd-main">
  <section class="tpd-refused" id="tpd-refused">
    <p class="tpd-refused-code">403</p>
    <h1 class="tpd-refused-title">{{ message }}</h1>
    <p class="tpd-refused-help">{{ help }}</p>
    <a class="btn btn-primary btn-sm" href="{{ home }}">{{ back }}</a>
  </section>
</main>
</body>
</html>"""


def forbidden_page(user: store.User, pages: list[tuple[str, str]], lang: str, path: str, demo: str | None):
    """The 403 answer to a page the user's role may not open: `pages` are (name, path) of the pages it may."""
    from dashboard.auth import roles

    suffix = "?lang=en" if lang == "en" else ""
    role = roles.label(user.role, lang)
    html = render_template_string(
        FORBIDDEN_PAGE, lang=lang, title=t("auth.forbidden_title", lang), app_title=t("app.title", lang),
        home="/" + suffix, pages=[(name, href + suffix) for name, href in pages],
        user_label=t("auth.user_menu", lang, name=user.display_name or user.username, role=role),
        csrf_token=csrf.token(), signout=t("auth.signout", lang), demo=demo,
        switch_href=path + ("" if lang == "en" else "?lang=en"), switch_label=t("app.switch_lang", lang),
        message=t("auth.forbidden_page", lang, role=role), help=t("auth.forbidden_help", lang),
        back=t("auth.back_home", lang))
    return html, 403, {"Content-Type": "text/html; charset=utf-8"}


STORE_DOWN_PAGE = _head("auth.css") + """<body class="tpd-auth">
<main class="tpd-auth-card">
<h1 class="h4">{{ title }}</h1>
<p role="alert">{{ message }}</p>
<p lang="{{ 'zh-CN' if lang == 'en' else 'en' }}" class="text-muted">{{ other }}</p>
</main>
</body>
</html>
"""


def store_unavailable_page(lang: str):
    """The 503 answer while the users store does not answer: nothing was done, try again shortly."""
    other = "zh" if lang == "en" else "en"
    html = render_template_string(STORE_DOWN_PAGE, lang=lang, title=t("auth.store_down_title", lang),
                                  app_title=t("app.title", lang), message=t("auth.store_down", lang),
                                  other=t("auth.store_down", other))
    return html, 503, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "5"}


def _lang() -> str:
    lang = request.values.get("lang") or "zh"
    return lang if lang in ("zh", "en") else "zh"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (`//evil`, `https://…`, `\\\\evil`)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _render(title_key: str, action: str, fields: list[dict], submit_key: str, *, messages=(), hint=None,
            status: int = 200):
    lang = _lang()
    nxt = safe_next(request.values.get("next"))
    switch = "en" if lang == "zh" else "zh"
    html = render_template_string(
        PAGE, lang=lang, title=t(title_key, lang), app_title=t("app.title", lang), messages=list(messages),
        action=action, fields=fields, submit=t(submit_key, lang), csrf_token=csrf.token(), next=nxt, hint=hint,
        switch_href=f"{action}?{urlencode({'next': nxt, 'lang': switch})}", switch_label=t("app.switch_lang", lang))
    return html, status, {"Content-Type": "text/html; charset=utf-8"}


def _login_form(messages=(), status=200, username=""):
    lang = _lang()
    return _render("auth.signin", "/login", [
        {"name": "username", "label": t("auth.username", lang), "type": "text", "autocomplete": "username",
         "value": username},
        {"name": "password", "label": t("auth.password", lang), "type": "password",
         "autocomplete": "current-password", "value": ""},
    ], "auth.signin", messages=messages, status=status, hint=t("auth.demo_hint", lang) if _demo() else None)


def _demo() -> bool:
    try:
        from dashboard.queries import reference
        return reference.is_demo()
    except Exception:
        return False


def login():
    lang = _lang()
    if request.method == "GET":
        messages = []
        if request.args.get("out"):
            messages.append(("success", t("auth.signed_out", lang)))
        elif request.args.get("expired"):
            messages.append(("warning", t("auth.expired", lang)))
        return _login_form(messages)
    if not csrf.form_ok():
        return _login_form([("warning", t("auth.csrf", lang))], status=400)
    username = (request.form.get("username") or "")[:64]
    user, outcome = store.authenticate(username, request.form.get("password") or "", ip=request.remote_addr)
    if user is None:
        if outcome == "locked":
            return _login_form([("danger", t("auth.locked", lang, minutes=store.LOCK_MINUTES))], 429, username)
        return _login_form([("danger", t("auth.failed", lang))], 401, username)
    start_session(user)
    target = safe_next(request.form.get("next"))
    if user.must_change:
        return redirect("/password?" + urlencode({"next": target, "lang": lang}), code=303)
    return redirect(target, code=303)


def start_session(user: store.User) -> None:
    """A fresh cookie naming a new server-side session (and a new CSRF token)."""
    session.clear()
    session.permanent = True
    session["s"] = sessions.start(user, request.remote_addr)
    csrf.token()


def logout():
    if request.method != "POST":
        return redirect("/", code=303)
    lang = _lang()
    if not csrf.form_ok():
        return redirect("/", code=303)
    user = g.get("tpd_user")
    if user is not None:
        audit.record("signout", target=user.username)
    if isinstance(token := session.get("s"), str):
        sessions.end(token, "signout")   # a copy of the cookie replayed later names an ended session
    session.clear()
    return redirect("/login?" + urlencode({"out": 1, "lang": lang}), code=303)


def _password_form(messages=(), status=200):
    lang = _lang()
    return _render("auth.change_password", "/password", [
        {"name": "current", "label": t("auth.current_password", lang), "type": "password",
         "autocomplete": "current-password", "value": ""},
        {"name": "new", "label": t("auth.new_password", lang, n=passwords.MIN_LENGTH), "type": "password",
         "autocomplete": "new-password", "value": ""},
        {"name": "confirm", "label": t("auth.confirm_password", lang), "type": "password",
         "autocomplete": "new-password", "value": ""},
    ], "auth.save", messages=messages, status=status)


def change_password():
    """Reached only signed in (the guard sends everyone else to /login)."""
    lang = _lang()
    user = g.get("tpd_user")
    notice = [("warning", t("auth.must_change", lang))] if user.must_change else []
    if request.method == "GET":
        return _password_form(notice)
    if not csrf.form_ok():
        return _password_form([("warning", t("auth.csrf", lang))], 400)
    new = request.form.get("new") or ""
    if new != (request.form.get("confirm") or ""):
        return _password_form([*notice, ("danger", t("auth.mismatch", lang))], 400)
    token = session.get("s") or ""
    try:
        # this session stays signed in; every other one ends
        store.change_password(user.username, request.form.get("current") or "", new, ip=request.remote_addr,
                              keep_session=sessions.session_id(token))
    except store.UserError as problem:
        return _password_form([*notice, ("danger", problem.en if lang == "en" else problem.zh)], 400)
    sessions.forget(token)      # the next request sees the password changed (no one-time password any more)
    return redirect(safe_next(request.form.get("next")), code=303)


def register(server) -> None:
    server.add_url_rule("/login", "tpd_login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "tpd_logout", logout, methods=["GET", "POST"])
    server.add_url_rule("/password", "tpd_password", change_password, methods=["GET", "POST"])
