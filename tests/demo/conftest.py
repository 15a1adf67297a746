"""The demo world, seeded once per module inside a transaction that is rolled back at the module's
end (each test runs in a savepoint inside it), so other tests never see it. Uploaded files go to a
temporary folder, never into var/media."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from smartfactory.demo.world import seed


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": str(media)}}}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), STORAGES=storages), transaction.atomic():
        world = seed()
        yield world
        transaction.set_rollback(True)
