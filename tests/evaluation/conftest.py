"""Fixtures for the national evaluation: a Sichuan 卓越级 batch of three recommended applications
submitted to MIIT (so three evaluations wait for the formal check), MIIT with its staff and the
five other ministries, and a small expert pool."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smartfactory.evaluation import expert_profiles
from smartfactory.evaluation.models import Evaluation
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.recommendations import services as recommendations
from tests import factories as f
from tests.applications.test_excellent_book import (
    _render,
    setup,  # noqa: F401
)
from tests.recommendations.test_batches import (
    ONLINE_REVIEW,
    batch,  # noqa: F401
    concur,
)

OTHER_MINISTRIES = [("国家发展和改革委员会", Department.DEVELOPMENT_REFORM), ("财政部", Department.FINANCE),
                    ("国务院国有资产监督管理委员会", Department.SASAC), ("国家市场监督管理总局", Department.MARKET_REGULATION),
                    ("国家数据局", Department.DATA)]


def expert(name: str, *, actor, organisation: str = "某大学", uscc: str = "", province: str = "110000",
           industries=("35",), scenarios=(), max_load: int = 12):
    user = f.user(f"expert-{name}", role=Role.EXPERT)
    return expert_profiles.save_expert_profile(user, actor=actor, name=name, organisation=organisation, organisation_uscc=uscc,
                                        province_code=province, industries=list(industries), scenarios=list(scenarios),
                                        max_load=max_load)


@pytest.fixture
def national(setup, batch):  # noqa: F811
    miit = f.ministry()
    others = [f.authority(None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.MINISTRY, name=n, department=d,
                          is_lead=False) for n, d in OTHER_MINISTRIES]
    staff = f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=miit)
    b = batch
    concur(b)
    recommendations.finalise(b["batch"], actor=b["leader"])
    for kind in ("summary_table", "letter"):
        recommendations.attach_scan(b["batch"], kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", _render("盖章")),
                                    actor=b["leader"])
    with time_machine.travel(ONLINE_REVIEW - timedelta(seconds=1), tick=False):
        recommendations.submit_to_ministry(b["batch"], actor=b["leader"])
    experts = [expert(n, actor=staff) for n in ("甲", "乙", "丙", "丁")]
    evaluations = [Evaluation.objects.get(application=a) for a in b["apps"]]
    return {**b, "miit": miit, "ministries": [miit, *others], "staff": staff, "experts": experts,
            "evaluations": evaluations}
