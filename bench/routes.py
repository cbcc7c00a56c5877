"""The routes every bench script measures, and how to log in for them.

auth: None (anonymous), "admin"/"liaison" (a browser session cookie from the login form) or
"jwt" (a bearer token from the API login, as the bench admin). FAB's search arguments:
`_flt_2_name` is the third filter of a string column, "contains" (a LIKE '%...%').
"""

from __future__ import annotations

SEARCH = "sari"
API_SEARCH = f"(filters:!((col:name,opr:ct,value:{SEARCH})))"

ROUTES: list[tuple[str, str, str | None]] = [
    ("bare route", "/bench/bare", None),
    ("unit list", "/orgunitview/list/", "admin"),
    ("unit list, liaison", "/orgunitview/list/", "liaison"),
    ("pelaksana list p1", "/pelaksanaview/list/", "admin"),
    ("pelaksana list p40", "/pelaksanaview/list/?page_PelaksanaView=40", "admin"),
    ("pelaksana search", f"/pelaksanaview/list/?_flt_2_name={SEARCH}", "admin"),
    ("competence records", "/competencerecordview/list/", "admin"),
    ("audit list", "/auditentryview/list/", "admin"),
    ("audit search", "/auditentryview/list/?_flt_2_actor=liaison", "admin"),
    ("user list", "/users/list/", "admin"),
    ("api pelaksana", "/api/v1/pelaksana/", "jwt"),
    ("api pelaksana search", f"/api/v1/pelaksana/?q={API_SEARCH}", "jwt"),
    ("api org-unit", "/api/v1/org-unit/", "jwt"),
]

USERS = {"admin": "bench-admin", "liaison": "bench-liaison", "jwt": "bench-admin"}
