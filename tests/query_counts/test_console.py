"""The console's list pages run a fixed number of queries, whatever the number of rows: the same
literal count with one row and with three (harness: tests/factories/query_counts.py)."""

from __future__ import annotations

import pytest

from tests.factories.query_count_cases import CONSOLE
from tests.factories.query_counts import cases, check

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("case", "n"), cases(CONSOLE))
def test_console_list_page_query_count_does_not_grow_with_rows(qc, client_for, case, n):
    check(qc, client_for, case, n)
