"""Recommendation batches: the recommender orders what it recommended, its leader finalises with
the co-departments' concurrence and submits to MIIT before the online-review deadline; afterwards
only the ministry can reopen. Every step is audited."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.models import TierApplication
from smartfactory.audit.services import record_event
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Quota
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Role
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import (
    active_memberships,
    is_reviewer_at,
)
from smartfactory.uploads import MB, PDF_OR_IMAGE, check_upload

from . import workflow
from .models import Batch, LevelDossier, StampedScan
from .queries import co_departments, recommended, recommender_authority  # noqa: F401 (re-exported)

DATA_DIR = Path(__file__).resolve().parent / "data"


def acts_for_recommender(user, quota: Quota) -> bool:
    """A reviewer or leader of the recommender itself (co-departments only read and concur)."""
    return is_reviewer_at(user, recommender_authority(quota))


def quotas_for_user(user):
    """The quotas whose batches this user works on: as a reviewer or leader of the recommender, or of
    one of its co-departments (which read the batch and concur with it; only the recommender acts)."""
    authority_ids = [m.authority_id for m in active_memberships(user)
                     if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)]
    authorities = Authority.objects.filter(pk__in=authority_ids)
    q = Q(pk__in=[])
    for a in authorities:
        if a.kind == AuthorityKind.CENTRAL_SOE:
            q |= Q(recommender=Quota.Recommender.CENTRAL_SOE, soe_group=a)
        elif a.kind == AuthorityKind.XPCC:
            q |= Q(recommender=Quota.Recommender.XPCC)
        elif a.level == AuthorityLevel.PROVINCE:  # the lead department, or a co-department that concurs
            q |= Q(recommender=Quota.Recommender.PROVINCE, province_code=a.division_id)
    return Quota.objects.filter(q).select_related("campaign", "soe_group")


def batch_for(quota: Quota) -> Batch:
    batch, _created = Batch.objects.get_or_create(quota=quota)
    return batch


def _locked(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("quota", "quota__campaign").get(pk=batch.pk)


@transaction.atomic
def reorder(batch: Batch, *, ordered_ids: list[str], actor) -> list[TierApplication]:
    """Set the priority order. The list must name exactly the recommended applications.
    Side effects: priorities 1..n; audit event recommendation.reordered."""
    batch = _locked(batch)
    authority = recommender_authority(batch.quota)
    if not is_reviewer_at(actor, authority):
        raise NotPermitted()
    if batch.status != Batch.Status.OPEN:
        raise TransitionNotAllowed(_("推荐批次已定稿，不能再调整顺序。"))
    workflow.online_review_open(workflow.Ctx(batch=batch, actor=actor))
    apps = {str(a.id): a for a in recommended(batch.quota)}
    if sorted(ordered_ids) != sorted(apps) or len(set(ordered_ids)) != len(ordered_ids):
        raise InvalidInput(_("排序须包含且仅包含本批次全部已推荐的申报。"), field="order")
    before = [str(a.id) for a in sorted(apps.values(), key=lambda a: a.priority or 0)]
    for n, app_id in enumerate(ordered_ids, start=1):
        TierApplication.objects.filter(pk=app_id).update(priority=n)
    record_event("recommendation.reordered", actor=actor, obj=batch, before={"order": before},
                 after={"order": ordered_ids})
    return list(recommended(batch.quota))


def finalise(batch: Batch, *, actor) -> Batch:
    """The recommender's leader finalises the ordered batch once every co-department has concurred
    with its order (``workflow``: deadline, recommendations, concurrence). Side effects: status
    finalised, the co-departments' ids kept on the batch; audit event recommendation.finalised."""
    return workflow.transition(batch, workflow.Act.FINALISE, actor=actor)


def submit_to_ministry(batch: Batch, *, actor) -> Batch:
    """Submits the finalised batch to MIIT (central SOEs also to SASAC) before the recommender's
    online-review deadline, with its stamped scans. Side effects: status submitted; audit event
    recommendation.submitted; an evaluation per application; MIIT is told."""
    return workflow.transition(batch, workflow.Act.SUBMIT, actor=actor)


def deadline_passed(batch: Batch, now=None) -> bool:
    from smartfactory.campaigns.services import deadline_for

    deadline = deadline_for(batch.quota.campaign, Stage.RECOMMENDER_ONLINE_REVIEW, tier=batch.quota.tier,
                            authority=recommender_authority(batch.quota))
    return deadline is not None and (now or timezone.now()) >= deadline


def submit_due_batches(*, now=None) -> dict[str, list[Batch]]:
    """At the recommenders' online-review deadline the batches go to MIIT: each finalised batch with
    its stamped scans whose deadline has passed is submitted (audited as automatic, no actor). Open
    batches and finalised ones without scans are not: they are reported as overdue, and stay
    locked (reorder, finalise and submit are refused after the deadline) until the ministry extends
    the recommender's deadline or reopens the batch. Idempotent; run by `manage.py
    close_recommendations` at or after each deadline."""
    submitted, overdue = [], []
    for batch in Batch.objects.exclude(status=Batch.Status.SUBMITTED).select_related("quota", "quota__campaign"):
        if not deadline_passed(batch, now):
            continue
        if batch.status != Batch.Status.FINALISED:
            overdue.append(batch)
            continue
        try:
            submitted.append(workflow.transition(batch, workflow.Act.AUTO_SUBMIT, actor=None))
        except NotEligible:  # no stamped scans
            overdue.append(batch)
        except TransitionNotAllowed:  # submitted or reopened meanwhile: nothing to do
            continue
    return {"submitted": submitted, "overdue": overdue}


def reopen(batch: Batch, *, actor, reason: str) -> Batch:
    """Only the ministry reopens a finalised or submitted batch, with a reason. Side effects: status
    open; audit event recommendation.reopened; the recommender is told."""
    return workflow.transition(batch, workflow.Act.REOPEN, actor=actor, reason=reason)


@transaction.atomic
def attach_scan(batch: Batch, *, kind: str, upload, actor) -> StampedScan:
    """A stamped scan of the recommender's summary table or letter. Side effects: audit event."""
    authority = recommender_authority(batch.quota)
    if not is_reviewer_at(actor, authority):
        raise NotPermitted()
    if _locked(batch).status == Batch.Status.SUBMITTED:
        raise TransitionNotAllowed(_("推荐批次已报送，不能再更换扫描件。"))
    scan = _store_scan(StampedScan(batch=batch, kind=kind, uploaded_by=actor), upload)
    record_event("recommendation.scan_uploaded", actor=actor, obj=batch, after={"kind": kind, "sha256": scan.sha256})
    return scan


def level_authority(user) -> Authority | None:
    """The intermediate level (district or city authority) this user reviews for, if any."""
    return next((m.authority for m in active_memberships(user)
                 if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)
                 and m.authority.kind == AuthorityKind.GOVERNMENT
                 and m.authority.level in (AuthorityLevel.COUNTY, AuthorityLevel.CITY)), None)


def dossier_for(authority: Authority, campaign, tier: str) -> LevelDossier:
    dossier, _created = LevelDossier.objects.get_or_create(authority=authority, campaign=campaign, tier=tier)
    return dossier


@transaction.atomic
def attach_level_scan(dossier: LevelDossier, *, kind: str, upload, actor) -> StampedScan:
    """A stamped scan of an intermediate level's own summary table or letter to the level above.
    Side effects: audit event recommendation.level_scan_uploaded."""
    if not is_reviewer_at(actor, dossier.authority):
        raise NotPermitted()
    scan = _store_scan(StampedScan(dossier=dossier, kind=kind, uploaded_by=actor), upload)
    record_event("recommendation.level_scan_uploaded", actor=actor, obj=dossier,
                 after={"kind": kind, "sha256": scan.sha256, "tier": dossier.tier})
    return scan


def _store_scan(scan: StampedScan, upload) -> StampedScan:
    """Checks a stamped scan by content (PDF, JPG or PNG; 20 MB) and stores it with its SHA-256."""
    if scan.kind not in StampedScan.Kind.values:
        raise InvalidInput(_("未知的扫描件类别。"), field="kind")
    checked = check_upload(upload, types=PDF_OR_IMAGE, max_bytes=20 * MB,
                           type_message=_("扫描件只能是 PDF、JPG 或 PNG（按文件内容识别）。"))
    scan.original_name, scan.sha256 = upload.name[:255], checked.sha256
    scan.file.save(f"{scan.id.hex}.{checked.extension}", upload, save=False)
    scan.save()
    return scan


# ------------------------------------------------------------------ the summary table
def columns_for(tier: str, year: int) -> dict:
    candidates = sorted(DATA_DIR.glob("summary-tables-*.yaml"))
    chosen = [p for p in candidates if int(p.stem.rsplit("-", 1)[1]) <= year][-1]
    return yaml.safe_load(chosen.read_text(encoding="utf-8"))[tier]


def table_rows(batch: Batch) -> list[dict]:
    return _rows(recommended(batch.quota), batch.quota.name)


def forwarded_by(authority: Authority, campaign, tier: str):
    """Applications this (intermediate) level approved and forwarded, in the order it forwarded
    them: the rows of its own summary table for the level above's paper requirements."""
    from smartfactory.applications.models import Review

    reviews = Review.objects.filter(authority=authority, decision="approve", application__campaign=campaign,
                                    application__tier=tier).order_by("created_at", "pk")
    seen, apps = set(), []
    for review in reviews.select_related("application__factory__enterprise__county", "application__factory__enterprise__industry"):
        if review.application_id not in seen:
            seen.add(review.application_id)
            apps.append(review.application)
    return apps


def level_rows(authority: Authority, campaign, tier: str) -> list[dict]:
    rows = _rows(forwarded_by(authority, campaign, tier), authority.name)
    for n, row in enumerate(rows, start=1):
        row["priority"] = n
    return rows


def _rows(apps, recommender_name: str) -> list[dict]:
    """The summary table's rows; the latest versions, prior awards and region names of all the
    applications are read at once (queries do not grow with the rows)."""
    from smartfactory.applications.models import ApplicationVersion
    from smartfactory.organisations.models import TierAward
    from smartfactory.regions.models import Division

    apps = list(apps)
    latest = {}
    for v in ApplicationVersion.objects.filter(application__in=apps).order_by("application_id", "-number"):
        latest.setdefault(v.application_id, v)
    priors = {}
    for award in TierAward.objects.filter(factory_id__in={a.factory_id for a in apps}, tier__in=["advanced", "excellent"],
                                          status="active").order_by("-year", "pk"):
        priors.setdefault((award.factory_id, award.tier), award)
    regions = {d.pk: d.full_name for d in Division.objects.filter(
        pk__in={a.factory.enterprise.county_id for a in apps}).select_related("parent__parent")}
    rows = []
    for app in apps:
        version = latest.get(app.pk)
        book = version.snapshot.get("book", {}) if version else {}
        enterprise = app.factory.enterprise
        prior = priors.get((app.factory_id, "advanced" if app.tier == "excellent" else "excellent"))
        verdict = app.assessment_verdict or {}
        # the name as submitted (paper equals online, R14), the current one beside it after a confirmed rename
        submitted = (version.snapshot.get("enterprise") or {}).get("name") if version else None
        name = submitted or enterprise.name
        if name != enterprise.name:
            name = f"{name}（现名称：{enterprise.name}）"
        rows.append({
            "priority": app.priority, "recommender": recommender_name, "enterprise_name": name,
            "uscc": enterprise.uscc, "project_name": book.get("cover.project_name") or app.factory.name,
            "region": regions[enterprise.county_id], "industry": enterprise.industry.name,
            "enterprise_nature": (book.get("part1.enterprise_nature") or "") + ("（央企）" if enterprise.soe_group_id else ""),
            "cmmm_level": book.get("part1.cmmm_level") or "", "prior_tier": f"{prior.year}年 {prior.certificate_no}" if prior else "",
            "ai_share": f"{verdict.get('metrics', {}).get('ai_share', 0):.0%}",
            "contact_person": book.get("part1.contact_person") or "", "contact_phone": book.get("part1.contact_phone") or "",
            "note": f"校验码 {version.verification_code}" if version else "",
        })
    return rows
