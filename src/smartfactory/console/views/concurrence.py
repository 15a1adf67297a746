"""Co-department concurrence on a 先进级 application awaiting certification: a co-department's own
account concurs, or the lead department's leader records a co-department's letter (文号)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory.applications import concurrence as services
from smartfactory.applications.queries import applications_for_user
from smartfactory.console.views.enterprises import _require_authority
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope


def concurrence_panel(app, user) -> dict | None:
    """What the application page shows: each required co-department with its concurrence (who, when,
    letter number) and the forms this user may use. None when nothing is awaited."""
    if not services.awaiting_certification(app):
        return None
    required = services.required_concurrence(app)
    if not required:
        return None
    given = {c.authority_id: c for c in services.concurrences_for(app)}
    return {
        "rows": [(a, given.get(a.pk)) for a in required],
        "can_give": services.can_give_concurrence(user, app),
        "can_record": services.can_record_concurrence_letter(user, app),
    }


@login_required
@require_POST
def application_concurrence(request, application_id):
    _require_authority(request)
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    opinion = request.POST.get("opinion", "")
    try:
        if request.POST.get("action") == "letter":
            chosen = request.POST.get("authority", "")
            authority = next((a for a in services.required_concurrence(app) if str(a.pk) == chosen), None)
            if authority is None:
                raise Http404
            services.record_concurrence_letter(app, actor=request.user, authority=authority,
                                               letter_number=request.POST.get("letter_number", ""), opinion=opinion)
        else:
            services.give_concurrence(app, actor=request.user, opinion=opinion)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("会签意见已登记。"))
    return redirect("console:application", application_id=app.id)
