"""Loaded by pytest before Django settings: tests use the plain static storage (no collectstatic)."""

import os

os.environ.setdefault("SMARTFACTORY_TESTING", "1")
