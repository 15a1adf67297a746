"""The API's list endpoints run a fixed number of queries, whatever the number of rows: the same
literal count with one item and with three (harness: tests/factories/query_counts.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.query_count_cases import ENDPOINTS, REFERENCE
from tests.factories.query_counts import cases, check, route_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("case", "n"), cases(ENDPOINTS))
def test_list_endpoint_query_count_does_not_grow_with_rows(qc, client_for, case, n):
    check(qc, client_for, case, n)


@pytest.mark.parametrize(("name", "route", "urls", "queries"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_list_query_count_does_not_grow_with_its_length(qc, client_for, name, route, urls, queries):
    client = client_for(qc["reviewer"])
    counts, lengths = [], []
    for url in urls:
        assert route_of(url.partition("?")[0]) == route
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
        lengths.append(len(response.json()))
    assert min(lengths) > 0 and len(set(lengths)) == len(urls)  # lists of different lengths
    assert counts == [queries] * len(urls), name
