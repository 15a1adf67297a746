"""The national evaluation in the demo world: the 2025 history (awards and cultivation objects
published on 2025-11-27 and on the public lists, the 公示 decided with six concurrences and its
objections handled), the expert pool, the 2026 evaluations waiting at each stage in Zhejiang's
batch (Sichuan's batch left empty for the browser tests), a second seed that adds nothing, and an
intact audit chain."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartfactory.accounts.models import User
from smartfactory.applications.models import TierApplication
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import Quota
from smartfactory.crypto import decrypt
from smartfactory.cultivation.models import CultivationObject
from smartfactory.cultivation.services import latest_end
from smartfactory.demo.common import demo_password
from smartfactory.demo.national import EXPERT_PROFILES
from smartfactory.demo.world import ACCOUNTS, seed
from smartfactory.evaluation.models import (
    Assignment,
    Evaluation,
    ExpertProfile,
    Objection,
    Publicity,
    SiteVisit,
)
from smartfactory.evaluation.notices import decision_ministries, validate_contact
from smartfactory.evaluation.queries import evaluations_for_user
from smartfactory.evaluation.rules import rules_for
from smartfactory.evaluation.scoring import weighted_total
from smartfactory.notifications.models import Notification
from smartfactory.organisations.models import Membership, TierAward
from smartfactory.recommendations.models import Batch

pytestmark = pytest.mark.django_db
DECIDED = date(2025, 11, 27)
CERTIFICATE = re.compile(r"卓越智能工厂〔2025〕\d{3}号")


def _user(username: str) -> User:
    return User.objects.get(username=username)


# --------------------------------------------------------------------------- 2025: published history
def test_2025_excellent_awards_are_published_and_on_the_public_list(demo_world, client_for):
    awards = list(TierAward.objects.filter(year=2025, tier="excellent").select_related("factory", "authority"))
    assert len(awards) >= 5
    for award in awards:
        assert award.published_on == DECIDED and award.awarded_on == DECIDED
        assert award.authority == demo_world.ministry and CERTIFICATE.fullmatch(award.certificate_no), award.certificate_no
        app = TierApplication.objects.get(factory=award.factory, campaign__year=2025, tier="excellent")
        assert app.state == "awarded" and app.certificate_no == award.certificate_no
        assert app.quota is not None and 1 <= app.priority <= app.quota.quota  # recommended within its quota
        assert app.evaluation.state == "approved" and app.evaluation.certificate_no == award.certificate_no
    assert len({a.certificate_no for a in awards}) == len(awards)

    page = client_for(None).get("/public/awards/", {"year": 2025, "tier": "excellent"})
    assert page.status_code == 200
    text = page.content.decode()
    for award in awards:
        assert award.certificate_no in text and award.factory.name in text
    # the 2024 卓越级 decisions are published on their award date
    older = TierAward.objects.filter(year=2024, tier="excellent")
    assert older.exists() and not older.exclude(published_on=date(2025, 1, 7)).exists()
    page = client_for(None).get("/public/awards/", {"year": 2024, "tier": "excellent"}).content.decode()
    assert all(a.certificate_no in page for a in older)


def test_2025_leading_applications_are_cultivation_objects_for_at_most_two_years(demo_world, client_for):
    objects = list(CultivationObject.objects.filter(campaign__year=2025).select_related("application", "factory"))
    assert len(objects) == 3
    for obj in objects:
        assert obj.published_on == DECIDED and DECIDED < obj.ends_on <= latest_end(obj.published_on)
        assert obj.application.tier == "leading" and obj.application.state == "cultivating"
        assert obj.list_number == obj.application.certificate_no and obj.list_number.startswith("领航智能工厂培育〔2025〕")
        assert obj.factory.tier_awards.filter(tier="excellent", year__lte=2024).exists()  # the prerequisite
    text = client_for(None).get("/public/cultivation/", {"year": 2025}).content.decode()
    assert all(obj.factory.name in text for obj in objects)


def test_2025_evaluations_record_the_whole_path(demo_world):
    rules = rules_for(Evaluation.objects.filter(campaign__year=2025).first().campaign)
    evaluations = list(Evaluation.objects.filter(campaign__year=2025).select_related("application", "campaign"))
    assert len(evaluations) >= 11
    thirds = 0
    for e in evaluations:
        assert e.formal_verdict == "pass" and e.checked_at is not None
        panel = e.assignments.filter(role=Assignment.Role.PANEL)
        assert panel.count() == rules.experts_per_application
        for a in e.assignments.all():
            assert a.submitted_at is not None and set(a.scores) == {c.key for c in rules.criteria}
            assert a.total == weighted_total(e.campaign, a.scores)
        totals = [a.total for a in panel]
        third = e.assignments.filter(role=Assignment.Role.THIRD).exists()
        assert third is (max(totals) - min(totals) > Decimal(str(rules.divergence_threshold)))
        thirds += third
        visit = e.site_visit
        assert visit.team.count() >= 1 and visit.agreed_at is not None and visit.outcome in ("pass", "fail")
        assert [i["key"] for i in visit.checklist][:2] == ["g:basic", "g:data"]
        assert set(visit.findings) == {i["key"] for i in visit.checklist}
        assert AuditEvent.objects.filter(action="evaluation.imported", object_id=str(e.pk)).count() == 1
    assert thirds >= 1
    declined = [e for e in evaluations if e.state == "not_approved"]
    assert declined and all(e.application.state == "not_selected" and e.outcome_reason for e in declined)
    assert any(e.site_visit.outcome == SiteVisit.Outcome.FAIL and e.publicity_id is None for e in declined)
    assert all(e.site_visit.outcome == "pass" for e in evaluations if e.state == "approved")


def test_2025_publicity_is_decided_with_six_concurrences_and_its_objections_handled(demo_world):
    publicities = list(Publicity.objects.filter(campaign__year=2025))
    assert {p.tier for p in publicities} == {"excellent", "leading"}
    for p in publicities:
        assert p.status == Publicity.Status.DECIDED and p.decision_number
        assert timezone.localdate(p.decided_at) == DECIDED
        assert timezone.localdate(p.starts_at) == date(2025, 11, 10) and timezone.localdate(p.ends_at) == date(2025, 11, 14)
        assert p.finalised_at is not None and p.ends_at <= p.finalised_at <= p.decided_at
        ministries = decision_ministries(p.campaign)
        assert len(p.concurrences) == 6 and sorted(c["authority"] for c in p.concurrences) == sorted(
            str(m.pk) for m in ministries)
        assert p.evaluations.filter(state="approved").exists()
    excellent = next(p for p in publicities if p.tier == "excellent")
    objections = list(excellent.objections.all())
    assert objections and not [o for o in objections if o.status == Objection.Status.OPEN]
    dismissed = [o for o in objections if o.status == Objection.Status.DISMISSED]
    assert dismissed and dismissed[0].evaluation.state == "approved"
    for o in objections:
        assert o.handling and o.handled_by is not None
        contact = decrypt(o.contact_encrypted)
        assert validate_contact(contact) == contact and contact not in o.contact_encrypted
    upheld = [o for o in objections if o.status == Objection.Status.UPHELD]
    assert upheld and upheld[0].evaluation.state == "not_approved"
    assert upheld[0].evaluation.application.state == "not_selected"


# --------------------------------------------------------------------------- the expert pool
def test_demo_experts_have_profiles_and_the_demo_password(demo_world):
    assert ExpertProfile.objects.filter(user__username__in=list(EXPERT_PROFILES)).count() == len(EXPERT_PROFILES) >= 12
    profile = ExpertProfile.objects.get(user__username="demo-expert")
    assert profile.organisation == "某大学智能制造研究院" and profile.province_code == "110000" and profile.active
    assert ExpertProfile.objects.get(user__username="demo-expert-12").soe_group == demo_world.soe_groups[0]
    experts = {username for username, _d, role, _k in ACCOUNTS if role == "expert"}
    assert experts == set(EXPERT_PROFILES)
    for username in ("demo-expert", "demo-expert-12", "demo-province-zj", "demo-city-zj", "demo-applicant-zj-1"):
        assert _user(username).check_password(demo_password()), username


def test_demo_expert_has_work_waiting_in_2026(demo_world, client_for):
    expert = _user("demo-expert")
    pending = Assignment.objects.filter(expert__user=expert, evaluation__campaign__year=2026, submitted_at__isnull=True)
    assert pending.count() >= 2
    assert all(a.evaluation.state == "expert_review" and a.due_at > timezone.now() for a in pending)
    visible = evaluations_for_user(expert)
    assert all(visible.filter(pk=a.evaluation_id).exists() for a in pending)
    desk = client_for(expert).get("/console/expert/")
    assert desk.status_code == 200
    text = desk.content.decode()
    assert all(a.evaluation.application.factory.enterprise.name in text for a in pending)
    assert Notification.objects.filter(user=expert, kind="evaluation.assigned").count() >= 2


# --------------------------------------------------------------------------- 2026: waiting at each stage
def test_2026_evaluations_wait_at_each_stage_in_zhejiangs_submitted_batch(demo_world):
    evaluations = Evaluation.objects.filter(campaign__year=2026).select_related("application__quota")
    by_state = {}
    for e in evaluations:
        by_state.setdefault(e.state, []).append(e)
        assert e.application.quota.province_code == "330000" and e.application.state == "recommended"
    assert len(by_state.get("awaiting_check", [])) >= 2
    assert len(by_state.get("returned", [])) == 1 and by_state["returned"][0].formal_reasons
    assert len(by_state.get("expert_review", [])) >= 2
    assert len(by_state.get("site_visit", [])) == 1
    visit = by_state["site_visit"][0].site_visit
    assert visit.agreed_at is None and visit.scheduled_for > timezone.localdate() and visit.team.exists()
    assert not visit.outcome and visit.checklist
    batch = Batch.objects.get(quota__campaign__year=2026, quota__tier="excellent", quota__province_code="330000")
    assert batch.status == Batch.Status.SUBMITTED
    leader = Membership.objects.get(user__username="demo-province-zj").authority
    assert leader.division_id == "330000"
    assert evaluations_for_user(_user("demo-province-zj")).filter(campaign__year=2026).count() == evaluations.count()
    # a real audit trail, not imported rows
    for action in ("application.submit", "application.recommend", "recommendation.finalised", "recommendation.submitted",
                   "evaluation.open", "evaluation.formal_fail", "evaluation.formal_pass", "evaluation.assigned",
                   "evaluation.scored", "evaluation.to_site_visit", "evaluation.site_visit_planned"):
        assert AuditEvent.objects.filter(action=action).exists(), action


def test_sichuan_2026_excellent_batch_is_left_empty_and_one_application_waits_at_the_district(demo_world):
    quota = Quota.objects.get(campaign__year=2026, tier="excellent", recommender="province", province_code="510000")
    assert not TierApplication.objects.filter(quota=quota).exists()
    assert not Batch.objects.filter(quota=quota).exclude(status=Batch.Status.OPEN).exists()
    waiting = TierApplication.objects.filter(campaign__year=2026, tier="excellent", province_code="510000")
    assert waiting.count() == 1
    app = waiting.get()
    assert app.state == "in_review" and app.current_step == 0 and "武侯区" in app.current_authority.name
    assert app.versions.count() == 1


def test_the_evaluation_pages_open_for_the_demo_accounts(demo_world, client_for):
    ministry = client_for(_user("demo-ministry"))
    assert ministry.get("/console/evaluation/").status_code == 200
    for e in Evaluation.objects.all():
        assert ministry.get(f"/console/evaluation/{e.pk}/").status_code == 200, e
    for p in Publicity.objects.all():
        assert ministry.get(f"/console/publicity/{p.pk}/").status_code == 200
        assert client_for(None).get(f"/publicity/{p.pk}/").status_code == 200
    assert ministry.get("/console/experts/").status_code == 200
    assert ministry.get("/console/evaluation/panel/2025/excellent/").status_code == 200
    province = client_for(_user("demo-province"))  # Sichuan sees its own 2025 evaluations
    sichuan = Evaluation.objects.filter(campaign__year=2025, application__quota__province_code="510000").first()
    assert province.get(f"/console/evaluation/{sichuan.pk}/").status_code == 200
    zhejiang = client_for(_user("demo-province-zj"))
    returned = Evaluation.objects.get(campaign__year=2026, state="returned")
    assert returned.formal_reasons in zhejiang.get(f"/console/evaluation/{returned.pk}/").content.decode()
    # the enterprise of the planned site visit is asked to confirm the date
    visit = SiteVisit.objects.get(evaluation__campaign__year=2026)
    enterprise = client_for(_user("demo-applicant-zj-6"))
    assert visit.evaluation.application.factory.enterprise.memberships.filter(user__username="demo-applicant-zj-6").exists()
    assert enterprise.get(f"/site-visits/{visit.pk}/").status_code == 200
    assert Notification.objects.filter(user__username="demo-applicant-zj-6", kind="evaluation.site_visit").exists()


# --------------------------------------------------------------------------- idempotent, audited
def _snapshot() -> dict:
    from smartfactory.applications.models import ApplicationVersion, Attachment, Review
    from smartfactory.assessments.models import Answer, SelfAssessment
    from smartfactory.recommendations.models import StampedScan

    models = [User, Membership, TierAward, TierApplication, ApplicationVersion, Attachment, Review, SelfAssessment,
              Answer, Evaluation, ExpertProfile, Assignment, SiteVisit, Publicity, Objection, CultivationObject, Batch,
              StampedScan, Notification]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["states"] = sorted(Evaluation.objects.values_list("pk", "state"))
    counts["published"] = sorted(TierAward.objects.values_list("pk", "published_on"))
    counts["audit"] = sorted(AuditEvent.objects.exclude(action="campaign.quotas_computed").values_list("action", flat=True))
    return counts


def test_a_second_seed_adds_nothing(demo_world):
    before = _snapshot()
    seed()
    assert _snapshot() == before


def test_the_audit_chain_stays_intact(demo_world):
    call_command("verify_audit")


def test_2025_cultivation_objects_have_reports_filed_and_one_overdue(demo_world, client_for):
    from smartfactory.cultivation.services import is_overdue

    objects = list(CultivationObject.objects.filter(campaign__year=2025).order_by("created_at"))
    first_reports = [obj.reports.get(sequence=1) for obj in objects]
    assert [r.submitted_at is not None for r in first_reports] == [True, True, False]
    assert all(obj.targets.count() == 2 for obj in objects)
    today = timezone.localdate()
    if today > first_reports[2].due_on:
        assert is_overdue(first_reports[2], today)
        staff = client_for(User.objects.get(username="demo-ministry"))
        assert "期报告逾期" in staff.get("/cultivation/").content.decode()


def test_each_cultivation_object_has_a_demo_enterprise_account_that_reaches_its_acceptance(demo_world, client_for):
    objects = {o.factory.enterprise_id: o for o in CultivationObject.objects.filter(campaign__year=2025)
               .select_related("factory__county")}
    names = sorted(User.objects.filter(username__startswith="demo-leading-").values_list("username", flat=True))
    assert names == ["demo-leading-sc-1", "demo-leading-sc-2", "demo-leading-zj-1"]
    for username in names:
        user = _user(username)
        assert user.check_password(demo_password())
        (membership,) = Membership.objects.filter(user=user)
        obj = objects[membership.enterprise_id]
        assert obj.factory.county.province_code == ("510000" if "-sc-" in username else "330000")
        client = client_for(user)
        assert client.get(f"/cultivation/{obj.pk}/acceptance/").status_code == 200
        other = next(o for o in objects.values() if o.pk != obj.pk)
        assert client.get(f"/cultivation/{other.pk}/acceptance/").status_code == 404
