"""Public check of a paper copy: the code printed in every page's footer names the application and
version (and whether a newer version superseded it) — nothing confidential."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.views.decorators.http import require_GET

from smartfactory.applications.exports import version_names
from smartfactory.applications.models import ApplicationVersion

CODE = re.compile(r"^[23456789A-HJ-NP-Z]{10}$")


@require_GET
def verify(request, code: str):
    code = code.strip().upper()
    version = None
    if CODE.match(code):
        version = ApplicationVersion.objects.select_related(
            "application", "application__factory", "application__factory__enterprise", "application__campaign"
        ).filter(verification_code=code).first()
    latest = version.application.version if version else None
    names = version_names(version) if version else {}
    return render(request, "portal/verify.html", {"version": version, "code": code, "latest": latest, **names},
                  status=200 if version else 404)
