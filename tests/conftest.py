"""Shared fixtures. Reference data (divisions, industries) is loaded once per test database:
every test runs in a transaction that is rolled back, so it stays for the whole session."""

from __future__ import annotations

import pytest
from django.test import Client

from smartfactory.frameworks.services import load_all_frameworks
from smartfactory.regions.services import load_divisions, load_industries


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_divisions()
        load_industries()
        load_all_frameworks()


@pytest.fixture
def client_for():
    """A logged-in test client for a user (session auth, as a browser)."""

    def make(user) -> Client:
        client = Client()
        if user is not None:  # None: an anonymous visitor
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a per-test temporary folder, never into var/media."""
    location = tmp_path / "media"
    settings.MEDIA_ROOT = location
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
