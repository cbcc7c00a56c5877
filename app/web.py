"""HTTP-level hardening shared by every page and API: CSRF, security headers, off-site redirects,
friendly refusals (rate limit, CSRF) and the client address behind a reverse proxy.

Called by create_app() after AppBuilder is built, so it also covers FAB's own views.
"""

from __future__ import annotations

from fnmatch import fnmatch
from urllib.parse import urlparse

from flask import Flask, current_app, jsonify, render_template, request, session
from flask_appbuilder.api import BaseApi
from flask_babel import get_translations, gettext
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.services.db_errors import INT_MAX

# Only this app's own files. Scripts: FAB's templates carry Talisman's per-request nonce on
# every inline <script> (baselib.get_nonce), so no 'unsafe-inline' for scripts. Styles: FAB's
# templates use style="" attributes throughout, which only 'unsafe-inline' allows; inline CSS
# cannot run code. data: for the SVG icons of Swagger UI and Bootstrap/Select2 images.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

csrf = CSRFProtect()
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def init_web(app: Flask) -> None:
    config = app.config
    proxies = int(config.get("TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies:
        # Without it every client shares the proxy's address: one rate limit for all users.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    # FAB checks forms one by one but not its POST-only actions (delete, action_post); with
    # CSRFProtect every POST needs the token, and FAB refuses GET mutations.
    csrf.init_app(app)
    api_blueprints = set()
    for view in app.appbuilder.baseviews:
        # FAB exempts its APIs only if CSRFProtect existed when they were added (it did not):
        # a bearer token is something a cross-site form cannot send. But the APIs also accept
        # the browser's session cookie (allow_browser_login), which a cross-site form does
        # send: those requests are checked below.
        if isinstance(view, BaseApi) and view.csrf_exempt and view.blueprint is not None:
            csrf.exempt(view.blueprint)
            api_blueprints.add(view.blueprint.name)

    @app.before_request
    def _csrf_on_cookie_authenticated_api_writes():
        """An API write made with the session cookie needs the CSRF token (header X-CSRFToken),
        as a form post does; calls without a logged-in session (bearer token, API login)
        need none."""
        if (request.method not in _SAFE_METHODS and request.blueprint in api_blueprints
                and _cookie_authenticated()):
            csrf.protect()

    force_https = bool(config.get("FORCE_HTTPS", False))
    Talisman(
        app,
        force_https=force_https,
        strict_transport_security=force_https,
        strict_transport_security_max_age=365 * 24 * 3600,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        # Talisman would otherwise force these to its own defaults; config.py decides.
        session_cookie_secure=bool(config.get("SESSION_COOKIE_SECURE", True)),
        session_cookie_http_only=True,
        session_cookie_samesite=config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(429, _too_many_requests)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.after_request(_keep_redirects_on_site)
    app.before_request(_refuse_nul_bytes)  # after FAB's: a refusal page needs g.user
    app.before_request(_wtforms_in_our_catalog)
    app.after_request(_no_store_when_authenticated)


def _cookie_authenticated() -> bool:
    """Whether Flask-Login can find a user in the cookies: the session, or a remember-me
    cookie (FAB sets none today; a future login flow might)."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return session.get("_user_id") is not None or remember in request.cookies


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def _refusal(status: int, message: str):
    if _wants_json():
        return jsonify(message=message), status
    page = render_template("appbuilder/iku/refused.html", message=message,
                           appbuilder=current_app.appbuilder,
                           base_template=current_app.appbuilder.base_template)
    return page, status


def _forbidden(_error):
    return _refusal(403, gettext("You do not have access to this page."))


def _not_found(_error):
    """Also what a liaison gets for another unit's record: it does not exist for them."""
    return _refusal(404, gettext("The page or record was not found."))


def _too_many_requests(_error):
    return _refusal(429, gettext("Too many attempts. Please wait a minute and try again."))


def _csrf_refused(_error):
    return _refusal(400, gettext(
        "The form has expired or did not come from this application. Reload the page and "
        "try again."
    ))


def _no_store_when_authenticated(response):
    """A page or API answer made for a logged-in user is not kept by the browser or a proxy:
    after a logout, "back" or a shared computer's cache must not show it again. Static files
    stay cacheable (they are the same for everyone)."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return response
    if _cookie_authenticated() or "Authorization" in request.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def _allowed_hosts() -> list[str]:
    return list(current_app.config.get("FAB_SAFE_REDIRECT_HOSTS") or []) or [request.host]


def _keep_redirects_on_site(response):
    """FAB checks the login's `next` (get_safe_redirect); this checks every redirect the app
    sends, whoever built it (a view redirecting to a request argument, a future login flow),
    against the same FAB_SAFE_REDIRECT_HOSTS."""
    location = response.headers.get("Location")
    if not location or not 300 <= response.status_code < 400:
        return response
    normalised = location.replace("\\", "/").strip()
    parsed = urlparse(normalised)
    host = parsed.netloc.rsplit("@", 1)[-1]
    if parsed.scheme not in ("", "http", "https") or (
        host and not any(_host_matches(host, allowed) for allowed in _allowed_hosts())
    ):
        response.headers["Location"] = current_app.appbuilder.get_url_for_index
    return response


def _host_matches(host: str, pattern: str) -> bool:
    return fnmatch(host.lower(), pattern.lower())


class DbIntConverter(IntegerConverter):
    """`<int:...>` in every route: an id above what an INTEGER column holds cannot exist, so
    the URL does not match (404) instead of reaching PostgreSQL, which refuses the parameter."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def init_routing(app: Flask) -> None:
    """Before any view is registered: converters are bound when a rule is added."""
    app.url_map.converters["int"] = DbIntConverter


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _wtforms_in_our_catalog() -> None:
    """WTForms ships no Indonesian catalog, so Flask-WTF showed its messages ("This field is
    required.") in English. Flask-WTF takes the translations a request already carries
    (request.wtforms_translations) before loading WTForms' own; ours hold WTForms' strings
    (`make i18n` extracts them), so every form, FAB's and ours, speaks the user's language."""
    request.wtforms_translations = get_translations()


def _refuse_nul_bytes():
    """No field of this application can hold a NUL character, and PostgreSQL refuses one in
    any text parameter: refuse it in the URL, query, form or JSON body, on every backend alike,
    before it reaches a filter or a write."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values += [*request.form.keys(), *request.form.values()]
        if request.is_json:
            values.append(request.get_json(silent=True))
    if any(_has_nul(value) for value in values):
        return _refusal(400, gettext("The request contains a NUL character, which no field accepts."))
    return None
