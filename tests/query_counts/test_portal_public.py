"""The portal's, the public site's and everyone's list pages (to-do, consent requests) run a fixed
number of queries, whatever the number of rows (harness: tests/factories/query_counts.py)."""

from __future__ import annotations

import pytest

from tests.factories.query_count_cases import PORTAL, PUBLIC
from tests.factories.query_counts import cases, check

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("case", "n"), cases(PORTAL))
def test_portal_list_page_query_count_does_not_grow_with_rows(qc, client_for, case, n):
    check(qc, client_for, case, n)


@pytest.mark.parametrize(("case", "n"), cases(PUBLIC))
def test_public_list_page_query_count_does_not_grow_with_rows(qc, client_for, case, n):
    check(qc, client_for, case, n)
