"""Every list, show page, form and CSV export, scanned for raw values (draft)."""

from __future__ import annotations

import html
import re

import pytest
from flask_appbuilder import ModelView

from tests.views.test_cycles_support import (  # noqa: F401
    act,
    finish,
    start_cycle,
    team_fixture,
)

RAW = re.compile(
    r"\bTrue\b|\bFalse\b|\bNone\b|__None|\[<Role|\[Admin|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"
    r"|:\d\d\.\d|\+00:00"
)


def visible(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(page)


def test_scan(app, client, login, team, db_session):
    start_cycle(db_session, team)
    login(client, "admin")
    found = []
    for view in app.appbuilder.baseviews:
        if not isinstance(view, ModelView):
            continue
        base = f"/{view.route_base.strip('/')}"
        for url in [f"{base}/list/", f"{base}/add", f"{base}/export/csv"]:
            r = client.get(url)
            text = r.get_data(as_text=True)
            if r.status_code != 200:
                found.append((url, r.status_code))
                continue
            if url.endswith("list/"):
                shows = sorted(set(re.findall(re.escape(base) + r"/show/[^\"'?]+", text)))[:3]
                edits = sorted(set(re.findall(re.escape(base) + r"/edit/[^\"'?]+", text)))[:1]
            for m in RAW.finditer(visible(text)):
                found.append((url, visible(text)[max(0, m.start() - 60): m.end() + 40]))
        for url in shows + edits:
            r = client.get(url, follow_redirects=True)
            text = visible(r.get_data(as_text=True))
            for m in RAW.finditer(text):
                found.append((url, text[max(0, m.start() - 60): m.end() + 40]))
    seen = {}
    for url, snippet in found:
        key = re.sub(r"/\d+$", "/N", url)
        seen.setdefault(key, [])
        if len(seen[key]) < 3:
            seen[key].append(snippet if isinstance(snippet, int) else " ".join(str(snippet).split()))
    for k, v in seen.items():
        print(k, v)
    assert not found
