"""Every list page and list endpoint runs a fixed number of queries, whatever the number of rows:
the same literal count with one row and with three (session, user and membership look-ups
included). A count that grows with the rows is an N+1 — fix it with select_related/prefetch_related
in the view or query, not here. The setup is identical between the two cases but for the rows.

Set QUERY_COUNT_PROBE=1 to print the counts instead of asserting them.

Not yet here (each needs its rows built): the console's enterprise changes, declarations, certified
list, recommendation batches, paper, advanced lists, evaluation panel and assignment, campaign
extensions, threshold jobs and re-check rounds; the public index, open data, case management and
consent pages; the publicity index; the portal's home and members; the API's enterprise changes,
sections, extensions, evaluation panel, paper requirements, advanced lists, re-check rounds and
items (regions, industries and framework scenarios list reference data, not rows)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.applications import TierApplicationFactory
from tests.factories.cultivation import CultivationObjectFactory
from tests.factories.evaluation import AssignmentFactory, EvaluationFactory, ExpertProfileFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.publicsite import CaseFactory, published

pytestmark = pytest.mark.django_db
PROBE = os.environ.get("QUERY_COUNT_PROBE") == "1"


@pytest.fixture
def qc():
    """MIIT, Sichuan (province) and Chengdu (city) with their people, the 2042 campaign and an expert."""
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit, name="四川省经济和信息化厅")
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan, name="成都市经济和信息化局")
    campaign = f.CampaignFactory(year=2042, tiers_open=["basic", "advanced", "excellent", "leading"])
    return {
        "miit": miit, "sichuan": sichuan, "chengdu": chengdu, "campaign": campaign,
        "staff": f.user("qc-staff", role=Role.MINISTRY_STAFF, authority=miit),
        "reviewer": f.user("qc-reviewer", role=Role.AUTHORITY_REVIEWER, authority=sichuan),
        "cd_leader": f.user("qc-cd-leader", role=Role.AUTHORITY_LEADER, authority=chengdu),
        "expert": ExpertProfileFactory(name="甲专家"),
        "anonymous": None,
    }


# ------------------------------------------------------------------ the rows each list shows
# each builder makes n rows visible to the case's viewer and returns, per row, a text the page
# shows (for pages) — the endpoints are checked by the number of items
def enterprises(qc, n):
    names = []
    for i in range(n):
        e = f.enterprise("510107", name=f"列表企业{i}")
        f.award(f.factory(e, name=f"列表工厂{i}"), "basic", year=2041)
        names.append(e.name)
    return names


def factories_of_one_enterprise(qc, n):
    e = f.enterprise("510107", name="多厂企业")
    qc["uscc"] = e.uscc
    return [f.award(f.factory(e, name=f"多厂工厂{i}"), "basic", year=2041).factory.name for i in range(n)]


def applications_at_sichuan(qc, n):
    return [TierApplicationFactory(factory=f.factory(f.enterprise("510107"), name=f"在审工厂{i}"), campaign=qc["campaign"],
                                   at=qc["sichuan"]).factory.name for i in range(n)]


def campaigns(qc, n):
    """The 2042 campaign and n - 1 more."""
    return ["2042", *(str(f.CampaignFactory(year=2042 - i).year) for i in range(1, n))]


def notifications(qc, n):
    return [NotificationFactory(user=qc["reviewer"]).title for _ in range(n)]


def chengdu_accounts(qc, n):
    """The Chengdu leader's own account and n - 1 reviewers."""
    return ["qc-cd-leader", *(f.user(f"qc-cd-{i}", role=Role.AUTHORITY_REVIEWER, authority=qc["chengdu"]).username
                              for i in range(1, n))]


def published_awards(qc, n):
    return [published(f.factory(f.enterprise("510107", name=f"公布企业{i}")), "excellent", 2025).certificate_no
            for i in range(n)]


def cultivation_objects(qc, n):
    return [CultivationObjectFactory(factory=f.factory(f.enterprise("510107", name=f"培育企业{i}")),
                                     campaign=qc["campaign"]).factory.enterprise.name for i in range(n)]


def evaluations(qc, n):
    return [EvaluationFactory(application__campaign=qc["campaign"],
                              application__factory=f.factory(f.enterprise("510107"), name=f"评审工厂{i}"),
                              ).application.factory.name for i in range(n)]


def assignments(qc, n):
    return [AssignmentFactory(expert=qc["expert"], evaluation__application__campaign=qc["campaign"],
                              evaluation__application__factory=f.factory(f.enterprise("510107", name=f"分配企业{i}")),
                              ).evaluation.application.factory.enterprise.name for i in range(n)]


def experts(qc, n):
    """甲专家 of the fixture and n - 1 more."""
    return ["甲专家", *(ExpertProfileFactory(name=f"乙专家{i}").name for i in range(1, n))]


PROVINCES = [("510000", "四川省"), ("330000", "浙江省"), ("320000", "江苏省")]


def quotas(qc, n):
    from smartfactory.campaigns.models import Quota

    return [Quota.objects.create(campaign=qc["campaign"], tier="excellent", recommender="province", province_code=code,
                                 name=name, quota=5, basis="测试").name for code, name in PROVINCES[:n]]


def rankings(qc, n):
    from smartfactory.campaigns.models import ProvinceRanking

    return [ProvinceRanking.objects.create(campaign=qc["campaign"], province_code=code, province_name=name,
                                           rank=rank).province_name for rank, (code, name) in enumerate(PROVINCES[:n], 1)]


def public_cases(qc, n):
    return [CaseFactory().title for _ in range(n)]


def supervision_cases(qc, n):
    """Cases Sichuan opened against 先进级 awards it certified."""
    from datetime import timedelta

    from django.utils import timezone

    from smartfactory.supervision import workflow

    names = []
    for i in range(n):
        award = f.award(f.factory(f.enterprise("510107", name=f"监管企业{i}")), "advanced", year=2041, by=qc["sichuan"])
        workflow.open_case(award, actor=qc["reviewer"], kind="safety_incident", measure="revoke",
                           occurred_on=timezone.localdate() - timedelta(days=10),
                           description="该工厂发生较大生产安全事故，经应急管理部门调查认定负有责任。")
        names.append(award.factory.enterprise.name)
    return names


@dataclass(frozen=True)
class Case:
    name: str
    url: str  # formatted with the fixture (e.g. {uscc})
    viewer: str
    rows: Callable
    queries: int | dict[str, int]  # per database vendor where they differ
    items: Callable = len  # the number of rows in a JSON response
    grows: str = ""  # a known N+1 not fixed here: why (the 3-row case is a strict xfail)

    def expected(self) -> int:
        return self.queries[connection.vendor] if isinstance(self.queries, dict) else self.queries


def paged(body):
    return len(body["items"])


PAGES = [
    Case("console enterprises", "/console/enterprises/", "reviewer", enterprises, 10),
    Case("console applications", "/console/applications/", "reviewer", applications_at_sichuan, 11),
    Case("console campaigns", "/console/campaigns/", "staff", campaigns, 8),
    Case("console users", "/console/users/", "cd_leader", chengdu_accounts, 12),
    Case("console evaluations", "/console/evaluation/", "staff", evaluations, 19),
    Case("console expert desk", "/console/expert/", "expert", assignments, 16),
    Case("console expert pool", "/console/experts/", "staff", experts, 10),
    Case("notifications", "/notifications/", "reviewer", notifications, 9),
    Case("cultivation list", "/cultivation/", "staff", cultivation_objects, 10),
    Case("public awards", "/public/awards/", "anonymous", published_awards, 7),
    Case("public cultivation", "/public/cultivation/", "anonymous", cultivation_objects, 7),
    Case("public cases", "/public/cases/", "anonymous", public_cases, 5),
    Case("console supervision cases", "/console/supervision/", "staff", supervision_cases, 10),
]
ENDPOINTS = [
    Case("api enterprises", "/api/v1/enterprises", "reviewer", enterprises, 7, paged),
    Case("api factories", "/api/v1/factories", "reviewer", enterprises, 8, paged),
    Case("api enterprise factories", "/api/v1/enterprises/{uscc}/factories", "reviewer", factories_of_one_enterprise, 9),
    # the list gives no actions (GET one application for what the caller can do, with the reasons)
    Case("api applications", "/api/v1/applications", "reviewer", applications_at_sichuan, 10),
    Case("api campaigns", "/api/v1/campaigns", "staff", campaigns, 11),
    Case("api quotas", "/api/v1/campaigns/2042/quotas", "staff", quotas, 7),
    Case("api rankings", "/api/v1/campaigns/2042/rankings", "staff", rankings, 7),
    Case("api cultivations", "/api/v1/cultivations", "staff", cultivation_objects, 11),
    Case("api evaluations", "/api/v1/evaluations", "staff", evaluations, 9, paged),
    Case("api expert assignments", "/api/v1/experts/me/assignments", "expert", assignments, 12),
    Case("api public awards", "/api/v1/public/awards", "anonymous", published_awards, 3, paged),
    Case("api public cultivation", "/api/v1/public/cultivation", "anonymous", cultivation_objects, 3, paged),
    Case("api public cases", "/api/v1/public/cases", "anonymous", public_cases, 2, paged),
    Case("api supervision cases", "/api/v1/supervision/cases", "staff", supervision_cases, 9, paged),
]


def viewer_of(qc, key):
    value = qc[key]
    return value.user if key == "expert" else value


def measure(qc, client_for, case: Case, n: int):
    shown = case.rows(qc, n)
    client = client_for(viewer_of(qc, case.viewer))
    url = case.url.format(**qc)
    client.get(url)  # warm caches that live beyond a request (framework specs, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, shown, len(captured)


def report(case, n, count):
    print(f"QUERYCOUNT {connection.vendor} {case.name!r} rows={n} queries={count}")  # noqa: T201


def cases(listed: list[Case]):
    """(case, n) for one row and three; a known N+1's three-row case is a strict xfail, so that its
    fix shows up as a failure to update here."""
    return [pytest.param(case, n, id=f"{case.name}-{n}",
                         marks=[pytest.mark.xfail(strict=True, reason=case.grows)] if case.grows and n == 3 else [])
            for case in listed for n in (1, 3)]


@pytest.mark.parametrize(("case", "n"), cases(PAGES))
def test_list_page_query_count_does_not_grow_with_rows(qc, client_for, case, n):
    response, shown, count = measure(qc, client_for, case, n)
    html = response.content.decode()
    assert [text for text in shown if text not in html] == []
    if PROBE:
        report(case, n, count)
    else:
        assert count == case.expected()


@pytest.mark.parametrize(("case", "n"), cases(ENDPOINTS))
def test_list_endpoint_query_count_does_not_grow_with_rows(qc, client_for, case, n):
    response, _shown, count = measure(qc, client_for, case, n)
    assert case.items(response.json()) == n
    if PROBE:
        report(case, n, count)
    else:
        assert count == case.expected()
