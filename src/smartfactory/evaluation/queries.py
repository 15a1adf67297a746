"""The one place that decides which evaluations a user may read. Out of scope is 404.

MIIT staff and platform admins: all. Experts: those they are assigned to score or verify on site —
minus any with a conflict of interest, checked on every read, so a conflict declared after the
assignment hides the application at once. Recommenders (province, XPCC, central-SOE group): their
own recommendations' evaluations. Everyone else: none."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.organisations.rules import active_memberships, is_miit_staff, is_platform_admin

from .conflicts import ConflictIndex, applicant_of
from .models import Evaluation, ExpertProfile
from .rules import rules_for


def _base() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related("application", "application__factory", "application__factory__enterprise",
                                             "application__factory__county", "application__quota", "campaign")


def evaluations_for_user(user) -> QuerySet[Evaluation]:
    if not user.is_authenticated:
        return Evaluation.objects.none()
    if is_platform_admin(user) or is_miit_staff(user):
        return _base()
    memberships = active_memberships(user)
    q = Q(pk__in=[])
    if any(m.role == Role.EXPERT for m in memberships):
        expert = ExpertProfile.objects.filter(user=user, active=True).first()
        if expert is not None:
            assigned = _base().filter(Q(assignments__expert=expert) | Q(site_visit__team=expert)).distinct()
            indexes: dict[int, ConflictIndex] = {}  # one per campaign (its rules), not one per evaluation
            allowed = []
            for e in assigned:
                if e.campaign_id not in indexes:
                    indexes[e.campaign_id] = ConflictIndex([expert], rules_for(e.campaign))
                if not indexes[e.campaign_id].reasons(expert, applicant_of(e)):
                    allowed.append(e.pk)
            q |= Q(pk__in=allowed)
    for m in memberships:
        a = m.authority
        if a is None or m.role not in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER):
            continue
        if a.kind == AuthorityKind.CENTRAL_SOE:
            q |= Q(application__quota__recommender="central_soe", application__quota__soe_group=a)
        elif a.kind == AuthorityKind.XPCC:
            q |= Q(application__quota__recommender="xpcc")
        elif a.level == AuthorityLevel.PROVINCE and a.department == Department.INDUSTRY:
            q |= Q(application__quota__recommender="province", application__quota__province_code=a.division_id)
    return _base().filter(q)


def expert_of(user) -> ExpertProfile | None:
    if not user.is_authenticated:
        return None
    return ExpertProfile.objects.filter(user=user, active=True).first()


def public_entries(publicity) -> list[Evaluation]:
    """The 公示 list as the public sees it, in the notice's order: every application still on it. One
    withdrawn after an upheld objection is left off, while the notice runs and once it is decided
    (``guards.on_the_list``); the ministry's own pages keep showing it with its objection."""
    from smartfactory.errors import ProgrammeError

    from .guards import on_the_list

    entries = []
    for evaluation in publicity.evaluations.select_related(
            "application__factory__enterprise__county__parent__parent",  # the region's full name
            "application__factory__enterprise__industry").order_by(
            "application__factory__enterprise__county__code", "created_at"):
        try:
            on_the_list(evaluation)
        except ProgrammeError:
            continue
        entries.append(evaluation)
    return entries
