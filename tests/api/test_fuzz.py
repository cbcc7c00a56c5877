"""Schemathesis against the app's own OpenAPI document, in process (no server): every
operation, as Admin and as a unit liaison with a bearer token, with data that fits the
schema and data that does not, on random ids and on ids of records that exist. It fails on
any response >= 500 and prints a tally per user (shown without -s).

Bounded by time, not only by examples: every operation gets FUZZ_EXAMPLES cases per mode
(default 4) until FUZZ_SECONDS (default 60) per user have passed, then one case per mode for
the rest, so each operation is still called with valid and invalid input. Which operations come
first rotates by day (FUZZ_OFFSET, printed with the tally, replays a run); FUZZ_SECONDS=0 lifts
the bound. Deterministic (derandomized) for a given offset, so a red CI run replays.
`make test` runs it on SQLite and on a PostgreSQL database created fresh for the run
(tests/conftest.py). Marker `fuzz`: `pytest -m "not fuzz"` leaves it out.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.views.test_cycles_support import start_cycle, team_fixture  # noqa: F401

schemathesis = pytest.importorskip("schemathesis")

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "60"))
OFFSET = int(os.environ.get("FUZZ_OFFSET", dt.date.today().toordinal()))
SPEC = "/api/v1/_openapi"


class FreshContextApp:
    """Each request in its own app context, as in production (see conftest.FreshContextClient):
    the session fixture's pushed context would otherwise share `g` between requests."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app(environ, start_response)


def _existing_id(client, headers, path: str) -> int | None:
    """The id of a record the user can reach, so that the fuzzer also writes to real rows."""
    collection = path.split("{pk}")[0]
    response = client.get(collection, headers=headers)
    if response.status_code != 200:
        return None
    ids = response.get_json().get("ids") or []
    return ids[0] if ids else None


def _fuzz(operation, headers: dict, tally: collections.Counter, failures: list, examples: int,
          **fixed) -> None:
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode, **fixed)

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), print_blob=False)
        @given(case=strategy)
        def run(case):
            response = case.call(headers=headers)
            tally[f"{response.status_code // 100}xx"] += 1
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.as_curl_command()}")

        try:
            run()
        except Unsatisfiable:
            # an operation that takes nothing (no parameter, no body) has no invalid input
            if mode is not schemathesis.GenerationMode.NEGATIVE:
                raise


@pytest.mark.parametrize("username", ["admin", "pengguna1"])
def test_no_server_error_on_any_input(app, team, db_session, api_token, capsys, username):
    start_cycle(db_session, team)  # work items and events to act on
    headers = api_token(username)
    wsgi = FreshContextApp(app)  # the document is the admin's: a liaison may not read it
    schema = schemathesis.openapi.from_wsgi(SPEC, wsgi, headers=api_token("admin"))
    client = app.test_client()
    tally: collections.Counter = collections.Counter()
    failures: list[str] = []
    found = [result.ok() for result in schema.get_all_operations()]
    start = OFFSET % len(found)
    operations, full, deadline = found[start:] + found[:start], 0, time.monotonic() + SECONDS
    for operation in operations:
        examples = EXAMPLES if not SECONDS or time.monotonic() < deadline else 1
        full += examples == EXAMPLES
        _fuzz(operation, headers, tally, failures, examples)
        if "{pk}" in operation.path:
            pk = _existing_id(client, headers, operation.path)
            if pk is not None:
                _fuzz(operation, headers, tally, failures, examples, path_parameters={"pk": pk})
    with capsys.disabled():
        print(f"\nschemathesis {schemathesis.__version__} as {username}: {len(operations)} "
              f"operations ({full} with {EXAMPLES} cases, FUZZ_OFFSET={OFFSET}),"
              f" {sum(tally.values())} requests, " + ", ".join(
                  f"{key}: {count}" for key, count in sorted(tally.items())))
        for line in failures[:20]:
            print("  " + line)
    assert len(operations) >= 40
    assert not failures, f"{len(failures)} responses >= 500"
