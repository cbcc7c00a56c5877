"""The stylesheet and script tags of every page, rendered once per process.

FAB's layout (appbuilder/init.html) builds its eighteen <link> and <script> tags on every page:
one url_for each and one nonce macro per script. The tags change only with the app's static
files and theme, which are fixed while it runs, and with the request's script root (behind a
proxy); the per-request part is the CSP nonce. So each of init.html's three asset blocks is
rendered from FAB's own template once per (block, script root) with a placeholder for the
nonce, and a page gets it back with its nonce put in: FAB's markup, not a copy of it.
"""

from __future__ import annotations

from flask import current_app, request
from markupsafe import Markup, escape

NONCE = "iku-nonce-placeholder"
BLOCKS = ("head_css", "head_js", "tail_js")
LAYOUT = "appbuilder/init.html"


def _render(block: str) -> str:
    env = current_app.jinja_env
    template = env.get_template(LAYOUT)
    names = {**env.globals, "appbuilder": current_app.appbuilder, "csp_nonce": lambda: NONCE}
    # what init.html imports at its top, which a block rendered on its own does not run
    names["baselib"] = env.get_template("appbuilder/baselib.html").make_module(names)
    context = template.new_context(names)
    return "".join(template.blocks[block](context))


def asset_block(block: str) -> Markup:
    """init.html's `block` ("head_css", "head_js" or "tail_js") with this request's nonce."""
    if block not in BLOCKS:
        raise ValueError(block)
    cache = current_app.extensions.setdefault("iku_asset_blocks", {})
    key = (block, request.script_root)
    html = cache.get(key)
    if html is None:
        html = cache[key] = _render(block)
    nonce = current_app.jinja_env.globals.get("csp_nonce", lambda: "")()
    return Markup(html.replace(NONCE, str(escape(nonce))))


def register(app) -> None:
    app.jinja_env.globals["iku_asset_block"] = asset_block
