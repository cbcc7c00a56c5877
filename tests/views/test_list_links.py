"""A list page's pager, page-size and sort links (app/views/list_links.py) are the URLs FAB's
own template filters build, for every kind of query a list is reached with."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import render_template_string

from app.models.org import OrgUnit
from app.views import list_links

QUERIES = [
    "",
    "page_WorkEventView=3",
    "_flt_0_note=siklus+lain&page_WorkEventView=1",
    "_oc_WorkEventView=occurred_at&_od_WorkEventView=asc",
    "_oc_WorkEventView=action&_od_WorkEventView=desc&psize_WorkEventView=50",
    "_od_WorkEventView=asc",
    "a=1&a=2&b=%C3%A9+x%2Fy%26z&c=",
    "_flt_2_occurred_at=2026-11-30+08%3A00%3A00&_oc_WorkEventView=occurred_at",
    "_external=1&page_WorkEventView=2",  # an option of url_for: FAB's filter decides
]


def _fab(app, name):
    return app.extensions["iku_fab_link_filters"][name]


@pytest.mark.parametrize("query", QUERIES)
def test_the_links_are_fabs_urls(app, query):
    with app.test_request_context(f"/workeventview/list/?{query}"):
        app.preprocess_request()
        view = "WorkEventView"
        for page in (0, 1, 7):
            assert list_links.link_page(page, view) == _fab(app, "link_page")(page, view)
        for size in (10, 25, 100):
            assert list_links.link_page_size(size, view) == \
                _fab(app, "link_page_size")(size, view)
        for column in ("occurred_at", "action"):
            assert list_links.link_order(column, view) == _fab(app, "link_order")(column, view)


def test_a_route_argument_in_the_query_goes_through_fabs_filter(app):
    """On a page with a route argument (an IKU's show page lists its related rows), a query
    argument of the same name would change the route's value in url_for: FAB's way kept."""
    with app.test_request_context("/cycle/5?cycle_id=9&page_X=1"):
        app.preprocess_request()
        assert list_links.link_page(2, "X") == _fab(app, "link_page")(2, "X")


def test_the_templates_use_them(app):
    with app.test_request_context("/workeventview/list/?page_WorkEventView=2"):
        app.preprocess_request()
        html = render_template_string(
            "{{ 4 | link_page('WorkEventView') }} {{ 'action' | link_order('WorkEventView') }} "
            "{{ 50 | link_page_size('WorkEventView') }}")
    assert html.split() == [
        "/workeventview/list/?page_WorkEventView=4",
        "/workeventview/list/?page_WorkEventView=2&amp;_oc_WorkEventView=action&amp;"
        "_od_WorkEventView=asc",
        "/workeventview/list/?page_WorkEventView=2&amp;psize_WorkEventView=50"]


def test_a_filtered_list_pages_on_with_its_filter(client, login):
    """As a user: the pager of a filtered, sorted list of units keeps the filter and the order,
    and its next page is the next unit in that order."""
    login(client, "admin")
    query = "_flt_2_name=a&_oc_OrgUnitView=name&_od_OrgUnitView=desc&psize_OrgUnitView=1"
    page = client.get(f"/orgunitview/list/?{query}").get_data(as_text=True)
    links = {unescape(href) for href in re.findall(r'href="([^"]*page_OrgUnitView=[^"]*)"',
                                                    page)}
    second = f"/orgunitview/list/?{query}&page_OrgUnitView=1"
    assert second in links
    names = [unit.name for unit in OrgUnit.query.filter(OrgUnit.name.ilike("%a%"))
             .order_by(OrgUnit.name.desc()).limit(2)]
    assert names[0] in page and names[1] not in page
    assert names[1] in client.get(second).get_data(as_text=True)
