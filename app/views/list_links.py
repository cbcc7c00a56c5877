"""A list page's pager, page-size and sort links, built from one URL of the page per request.

FAB's template filters (link_page, link_page_size, link_order) each copy the request's view
and query arguments and call url_for with all of them: a list page has a dozen to twenty such
links. Each link is the page's own URL with one or two query arguments changed, so here the
page's URL is built once per request (url_for of the endpoint with its view arguments) and
each link appends the changed query arguments encoded as url_for encodes them: the same URL
(tests/views/test_list_links.py compares every link with FAB's filter). A query argument
that url_for would read differently (a name of the route's own arguments, or one of its
`_anchor`-style options) goes through FAB's filter unchanged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request, url_for

URL_FOR_OPTIONS = frozenset({"_anchor", "_method", "_scheme", "_external"})
# the characters werkzeug leaves unquoted in a built URL's query (werkzeug.urls._urlencode)
QUERY_SAFE = "!$'()*,/:;?@"


def _page() -> tuple[str, dict] | None:
    """The page's URL without query and its query arguments (first value of each, as FAB's
    to_dict() reads them); None when the arguments overlap the route's or url_for's own."""
    kept = getattr(request, "iku_list_page", False)  # kept on the request it describes
    if kept is False:
        args = request.args.to_dict()
        rule = request.url_rule
        taken = URL_FOR_OPTIONS | (rule.arguments if rule else set()) | set(
            (rule.defaults or {}) if rule else ())
        kept = request.iku_list_page = None if rule is None or taken & args.keys() else (
            url_for(request.endpoint, **(request.view_args or {})), args)
    return kept


def _link(changes: dict, fallback, *fallback_args) -> str:
    page = _page()
    if page is None:
        return fallback(*fallback_args)
    base, args = page
    query = urlencode(list({**args, **changes}.items()), safe=QUERY_SAFE)
    return f"{base}?{query}" if query else base


def link_page(page, modelview_name: str) -> str:
    return _link({f"page_{modelview_name}": page},
                 _fab("link_page"), page, modelview_name)


def link_page_size(page_size, modelview_name: str) -> str:
    return _link({f"psize_{modelview_name}": page_size},
                 _fab("link_page_size"), page_size, modelview_name)


def link_order(column: str, modelview_name: str) -> str:
    """Sorts by `column` ascending, or toggles the direction when the list is already sorted
    (by any column: FAB's rule)."""
    order, direction = f"_oc_{modelview_name}", f"_od_{modelview_name}"
    page = _page()
    current = page[1] if page else {}
    toggled = "desc" if order in current and current.get(direction) == "asc" else "asc"
    return _link({order: column, direction: toggled}, _fab("link_order"), column,
                 modelview_name)


def _fab(name: str):
    return current_app.extensions["iku_fab_link_filters"][name]


def register(app) -> None:
    """After FAB's filters are registered (AppBuilder.init_app): keeps them for the fallback."""
    filters = app.jinja_env.filters
    app.extensions["iku_fab_link_filters"] = {
        name: filters[name] for name in ("link_page", "link_page_size", "link_order")}
    filters.update(link_page=link_page, link_page_size=link_page_size, link_order=link_order)
