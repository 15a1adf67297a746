from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartfactory.console.forms import AuthorityUserForm, ExpertUserForm
from smartfactory.errors import ProgrammeError
from smartfactory.organisations import services
from smartfactory.organisations.models import Membership
from smartfactory.organisations.queries import get_in_scope, memberships_for_user
from smartfactory.organisations.rules import authorities_managed_by, is_ministry_staff, is_platform_admin_user
from smartfactory.portal.views.common import add_service_error


def _managed_or_404(request):
    managed = authorities_managed_by(request.user)
    if not managed.exists():
        raise Http404
    return managed


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request):
    """Accounts of the authorities this leader manages, and a form to open a new one."""
    managed = _managed_or_404(request)
    form = AuthorityUserForm(request.POST or None)
    form.fields["authority"].choices = [(str(a.id), a.name) for a in managed.order_by("level", "name")]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        authority = get_in_scope(managed, id=data["authority"])
        try:
            user = services.create_authority_user(
                authority, actor=request.user, username=data["username"], password=data["password"],
                role=data["role"], display_name=data["display_name"], email=data["email"],
            )
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("账号“%(u)s”已开通。") % {"u": user.username})
            return redirect("console:users")
    memberships = (
        memberships_for_user(request.user).filter(authority__isnull=False).order_by("authority__level", "authority__name", "user__username")
    )
    can_create_experts = is_ministry_staff(request.user) or is_platform_admin_user(request.user)
    return render(request, "console/users.html", {
        "form": form, "memberships": memberships, "can_create_experts": can_create_experts,
    })


@login_required
@require_POST
def revoke(request, membership_id: int):
    _managed_or_404(request)
    membership = get_in_scope(memberships_for_user(request.user), pk=membership_id)
    try:
        services.revoke_membership(membership, actor=request.user, reason=request.POST.get("reason", ""))
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已停用。"))
    return redirect("console:users")


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request):
    if not (is_ministry_staff(request.user) or is_platform_admin_user(request.user)):
        raise Http404
    form = ExpertUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_expert_user(
                actor=request.user, username=data["username"], password=data["password"],
                display_name=data["display_name"], email=data["email"],
            )
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("专家账号“%(u)s”已开通。") % {"u": user.username})
            return redirect("console:users")
    experts = Membership.objects.filter(role="expert").select_related("user").order_by("user__username")
    return render(request, "console/expert_form.html", {"form": form, "experts": experts})
