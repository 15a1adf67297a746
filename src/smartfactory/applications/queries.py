from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from smartfactory.organisations.enums import Role
from smartfactory.organisations.queries import jurisdiction_for
from smartfactory.organisations.rules import active_memberships, is_platform_admin

from .enums import State
from .models import Review, TierApplication


def applications_for_user(user) -> QuerySet[TierApplication]:
    """Applications of factories in the user's jurisdiction, and those its authorities review or have
    reviewed (the recommender may lie elsewhere: ``applications.recommender``); a draft only for its
    own enterprise."""
    j = jurisdiction_for(user)
    scope = j.enterprise_q("factory__enterprise__")
    if j.authority_ids and not j.everything:
        reviewed = Review.objects.filter(application=OuterRef("pk"), authority_id__in=j.authority_ids)
        scope |= Q(current_authority_id__in=j.authority_ids) | Q(Exists(reviewed))
    qs = TierApplication.objects.filter(scope)
    if not is_platform_admin(user):
        qs = qs.filter(~Q(state=State.DRAFT) | Q(factory__enterprise_id__in=j.enterprise_ids))
    return qs.select_related("factory", "factory__enterprise", "factory__enterprise__county", "campaign",
                             "current_authority")


def review_queue_for_user(user) -> QuerySet[TierApplication]:
    """Applications waiting at an authority where the user reviews."""
    authority_ids = [
        m.authority_id for m in active_memberships(user)
        if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)
    ]
    return applications_for_user(user).filter(state=State.IN_REVIEW, current_authority_id__in=authority_ids)


def names_at_issue(apps) -> dict:
    """For each application, the applicant's name as it stood when the name was issued on a list
    (``enterprise_name``) and its current name where a confirmed change renamed it since
    (``current_name``, else empty): an awarded application keeps the name on its award (the name at
    certification or decision), any other the name in its latest submitted version. Three queries
    for any number of applications."""
    from smartfactory.campaigns.models import Campaign
    from smartfactory.organisations.models import TierAward

    from .models import ApplicationVersion

    apps = list(apps)
    submitted: dict = {}
    for app_id, snapshot in (ApplicationVersion.objects.filter(application__in=apps)
                             .order_by("application_id", "-number").values_list("application_id", "snapshot")):
        submitted.setdefault(app_id, (snapshot.get("enterprise") or {}).get("name"))
    awards = {(a.factory_id, a.year, a.tier): a.enterprise_name for a in TierAward.objects.filter(
        factory__in={app.factory_id for app in apps}).only("factory_id", "year", "tier", "enterprise_name")}
    years = dict(Campaign.objects.filter(pk__in={app.campaign_id for app in apps}).values_list("pk", "year"))
    out = {}
    for app in apps:
        now = app.factory.enterprise.name
        issued = (app.state == State.AWARDED and awards.get((app.factory_id, years[app.campaign_id], app.tier))
                  ) or submitted.get(app.pk) or now
        out[app.pk] = {"enterprise_name": issued, "current_name": now if now != issued else ""}
    return out


def with_current(names: dict) -> str:
    """The name at issue, with （现名称：…） after a rename: the form lists and tables print."""
    if names["current_name"]:
        return f"{names['enterprise_name']}（现名称：{names['current_name']}）"
    return names["enterprise_name"]
