"""The harness of the query-count tests (tests/query_counts): a case is a list page or endpoint, the
viewer who opens it and a builder of its rows; the test opens it once with one row and once with
three and asserts the same literal number of queries (session, user and membership look-ups
included). A count that grows with the rows is an N+1 — fix it in the view or query, not in the test.

Set QUERY_COUNT_PROBE=1 to print the counts instead of asserting them. The cases are in
``tests.factories.query_count_cases``, their row builders in ``.query_count_rows`` (the console's
rows, also listed by the API) and ``.query_count_portal`` (the portal's, the public site's); the
base world is ``qc_world`` (the ``qc`` fixture of tests/query_counts/conftest.py). The counts are
the same on SQLite and PostgreSQL (``Case.queries`` takes a per-vendor dict where they would not be)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.evaluation import ExpertProfileFactory

PROBE = os.environ.get("QUERY_COUNT_PROBE") == "1"


def qc_world() -> dict:
    """MIIT, Sichuan (province) and Chengdu (city) with their people, the 2042 campaign and an expert."""
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit, name="四川省经济和信息化厅")
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan, name="成都市经济和信息化局")
    campaign = f.CampaignFactory(year=2042, tiers_open=["basic", "advanced", "excellent", "leading"])
    return {
        "miit": miit, "sichuan": sichuan, "chengdu": chengdu, "campaign": campaign,
        "staff": f.user("qc-staff", role=Role.MINISTRY_STAFF, authority=miit),
        "reviewer": f.user("qc-reviewer", role=Role.AUTHORITY_REVIEWER, authority=sichuan),
        "leader": f.user("qc-leader", role=Role.AUTHORITY_LEADER, authority=sichuan),
        "cd_leader": f.user("qc-cd-leader", role=Role.AUTHORITY_LEADER, authority=chengdu),
        "expert": ExpertProfileFactory(name="甲专家"),
        "anonymous": None,
    }


@dataclass(frozen=True)
class Case:
    """One list. ``route`` names what it opens, as the route check (tests/query_counts/test_routes.py)
    matches it against the URLconf: a page's view name (``console:enterprises``), an endpoint's
    OpenAPI path (``/api/v1/enterprises/{uscc}/factories``); ``measure`` checks the URL resolves to it."""

    name: str
    route: str
    url: str  # formatted with the world (e.g. {uscc}, {campaign.year})
    viewer: str  # a key of the world: a user, an expert profile, or None (anonymous)
    rows: Callable  # rows(world, n) -> texts the response shows, one per row
    queries: int | dict[str, int]  # per database vendor where they differ
    items: Callable | None = None  # for JSON: the number of rows in the body (None: check the texts)
    grows: str = ""  # a known N+1 not fixed here: why (the 3-row case is a strict xfail)

    def expected(self) -> int:
        return self.queries[connection.vendor] if isinstance(self.queries, dict) else self.queries


def paged(body) -> int:
    return len(body["items"])


def viewer_of(world, key):
    value = world[key]
    return getattr(value, "user", value)  # an expert profile opens pages as its user


def route_of(path: str) -> str:
    """The view name of a page, the OpenAPI path of an endpoint (``<uuid:id>`` → ``{id}``)."""
    match = resolve(path)
    if path.startswith("/api/"):
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)
    return match.view_name


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def measure(world, client_for, case: Case, n: int):
    """(response body, texts shown, queries) of the case's second request with n rows (the first warms
    the caches that live beyond a request: framework specs, content types)."""
    shown = case.rows(world, n)
    client = client_for(viewer_of(world, case.viewer))
    url = case.url.format(**world)
    assert route_of(url.partition("?")[0]) == case.route, url
    content_of(client.get(url))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        body = content_of(response)
    assert response.status_code == 200, (url, response.status_code, body[:500])
    return response, body, shown, len(captured)


def cases(listed: list[Case]):
    """(case, n) for one row and three; a known N+1's three-row case is a strict xfail, so that its
    fix shows up as a failure to update here."""
    return [pytest.param(case, n, id=f"{case.name}-{n}",
                         marks=[pytest.mark.xfail(strict=True, reason=case.grows)] if case.grows and n == 3 else [])
            for case in listed for n in (1, 3)]


def check(world, client_for, case: Case, n: int) -> None:
    """The case's rows are all there and the count is the literal one (or printed, with PROBE)."""
    response, body, shown, count = measure(world, client_for, case, n)
    if case.items is not None:
        assert case.items(response.json()) == n
    else:
        text = body.decode()
        assert [t for t in shown if t not in text] == []
    if PROBE:
        print(f"QUERYCOUNT {connection.vendor} {case.name!r} rows={n} queries={count}")  # noqa: T201
    else:
        assert count == case.expected(), f"{case.name} with {n} rows: {count} queries"
