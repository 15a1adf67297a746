from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartfactory.errors import ProgrammeError
from smartfactory.organisations import changes, services
from smartfactory.organisations import memberships as memberships_machine
from smartfactory.organisations.enums import LOCKED_PROFILE_FIELDS, ChangeStatus, MembershipStatus
from smartfactory.organisations.models import Membership, TierAward
from smartfactory.organisations.queries import (
    enterprise_changes_for_user,
    enterprises_for_user,
    factories_for_user,
    get_in_scope,
)
from smartfactory.organisations.rules import is_enterprise_admin_of
from smartfactory.portal.forms import DecisionForm, EnterpriseChangeForm, EnterpriseForm

from .common import add_service_error, location_context, location_initial


@login_required
def enterprise_detail(request, uscc: str):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    factories = factories_for_user(request.user).filter(enterprise=enterprise).prefetch_related(
        Prefetch("tier_awards", queryset=TierAward.objects.select_related("authority").order_by("-year"))
    )
    return render(request, "portal/enterprise_detail.html", {
        "enterprise": enterprise, "factories": factories, "is_admin": is_enterprise_admin_of(request.user, enterprise),
        "pending_change": enterprise_changes_for_user(request.user).filter(
            enterprise=enterprise, status=ChangeStatus.PENDING).first(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request, uscc: str):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    form = EnterpriseForm(request.POST or None, initial={"industry": enterprise.industry_id, "address": enterprise.address})
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in services.ENTERPRISE_EDITABLE}
        try:
            services.update_enterprise(enterprise, actor=request.user, changes=changes)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("企业信息已保存。"))
            return redirect("portal:enterprise", uscc=enterprise.uscc)
    return render(request, "portal/enterprise_edit.html", {"enterprise": enterprise, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_change(request, uscc: str):
    """The change request of the registration facts, and the enterprise's earlier requests."""
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    initial = {
        "name": enterprise.name, "legal_status": enterprise.legal_status, "parent_uscc": enterprise.parent_uscc,
        "above_designated_size": enterprise.above_designated_size, **location_initial(enterprise.county),
    }
    form = EnterpriseChangeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requested = {k: data[k] for k in LOCKED_PROFILE_FIELDS}
        try:
            changes.request_enterprise_change(enterprise, actor=request.user, changes=requested,
                                              reason=data["reason"], upload=data["file"])
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("变更申请已提交，待%(a)s确认后生效。") % {
                "a": changes.confirming_authority_for(enterprise).name})
            return redirect("portal:enterprise_change", uscc=enterprise.uscc)
    requests = list(enterprise_changes_for_user(request.user).filter(enterprise=enterprise).order_by("-requested_at"))
    for change in requests:  # withdraw, as the request's machine offers it (one request pending at most)
        if change.status == ChangeStatus.PENDING:
            change.actions = [a for a in changes.available(change, request.user) if a.action == changes.Act.WITHDRAW]
    return render(request, "portal/enterprise_change.html", {
        "enterprise": enterprise, "form": form, "is_admin": is_enterprise_admin_of(request.user, enterprise),
        "requests": requests, **location_context(form),
    })


@login_required
@require_POST
def enterprise_change_withdraw(request, uscc: str, change_id):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    change = get_in_scope(enterprise_changes_for_user(request.user).filter(enterprise=enterprise), pk=change_id)
    try:
        changes.withdraw_enterprise_change(change, actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("变更申请已撤回。"))
    return redirect("portal:enterprise_change", uscc=enterprise.uscc)


@login_required
def members(request, uscc: str):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    is_admin = is_enterprise_admin_of(request.user, enterprise)
    memberships = list(services.memberships_of_enterprise(enterprise)) if is_admin else []
    actions = memberships_machine.available_of_rows(memberships, request.user)
    for membership in memberships:  # approve/reject a request, revoke a role: as the machine offers them
        membership.actions = actions[membership.pk]
    return render(request, "portal/members.html", {
        "enterprise": enterprise, "memberships": memberships, "is_admin": is_admin, "form": DecisionForm(),
    })


@login_required
@require_POST
def decide_member(request, uscc: str, membership_id: int, decision: str):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    membership = get_in_scope(Membership.objects.filter(enterprise=enterprise), pk=membership_id)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision in ("approve", "reject"):
            if membership.status != MembershipStatus.PENDING:
                raise ProgrammeError(_("该申请已处理。"))
            services.decide_join_request(membership, actor=request.user, approve=decision == "approve", reason=reason)
        elif decision == "revoke":
            services.revoke_membership(membership, actor=request.user, reason=reason)
        else:
            return redirect("portal:members", uscc=uscc)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect("portal:members", uscc=uscc)
