"""Shared fixtures. Reference data (divisions, industries) is loaded once per test database:
every test runs in a transaction that is rolled back, so it stays for the whole session."""

from __future__ import annotations

import pytest
from django.test import Client

from smartfactory.frameworks.services import load_all_frameworks
from smartfactory.regions.services import load_divisions, load_industries
from tests.factories.applications import advanced_world, excellent_setup
from tests.factories.cultivation import leading_cultivation
from tests.factories.evaluation import enterprise_user_of, national_round
from tests.factories.recommendations import recommended_batch


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


# ------------------------------------------------------------------ scenarios several apps' tests share
# (the builders are in tests/factories; a directory's conftest may define its own fixture of the same name)
@pytest.fixture
def world():
    """An advanced-tier application in Sichuan's chain (tests.factories.applications.advanced_world)."""
    return advanced_world()


@pytest.fixture
def setup():
    """A 武侯区 factory eligible for the excellent tier (tests.factories.applications.excellent_setup)."""
    return excellent_setup()


@pytest.fixture
def batch(setup):
    """Sichuan's 卓越级 batch of three recommended applications (tests.factories.recommendations)."""
    return recommended_batch(setup)


@pytest.fixture
def national(setup, batch):
    """The batch submitted to MIIT: three evaluations, six ministries, four experts (tests.factories.evaluation)."""
    return national_round(batch)


@pytest.fixture
def user_of(national):
    """A new admin of an evaluation's enterprise, per evaluation."""
    return enterprise_user_of(national)


@pytest.fixture
def leading(national, user_of):
    """A 领航级 cultivation object with two targets (tests.factories.cultivation)."""
    return leading_cultivation(national, user_of)
