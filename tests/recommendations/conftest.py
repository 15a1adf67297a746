"""Fixtures shared by the application tests: ``world`` (an advanced-tier application in Sichuan's
chain) and ``setup`` (a factory eligible for the excellent tier)."""

from tests.applications.test_advanced_workflow import world  # noqa: F401
from tests.applications.test_excellent_book import setup  # noqa: F401
