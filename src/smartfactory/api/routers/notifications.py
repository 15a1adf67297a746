"""The caller's e-mail settings per kind of notification (the page is /notifications/preferences/).
In-app notifications cannot be turned off; only their e-mail can."""

from ninja import Router, Schema

from smartfactory.notifications.kinds import KIND_GROUPS
from smartfactory.notifications.services import email_preferences, set_email_preferences

router = Router(tags=["notifications"])


class KindOut(Schema):
    kind: str
    label: str
    group: str
    email: bool
    in_app: bool  # always true: in-app notifications cannot be turned off


class PreferencesOut(Schema):
    email: dict[str, bool]
    kinds: list[KindOut]


class PreferencesIn(Schema):
    email: dict[str, bool]


def _out(user) -> dict:
    current = email_preferences(user)
    kinds = [{"kind": kind, "label": str(label), "group": str(group), "email": current[kind], "in_app": True}
             for group, items in KIND_GROUPS for kind, label in items]
    return {"email": current, "kinds": kinds}


@router.get("/preferences", response=PreferencesOut)
def get_preferences(request):
    """Each kind of notification with whether its e-mail is sent to the caller (default on)."""
    return _out(request.user)


@router.put("/preferences", response=PreferencesOut)
def put_preferences(request, payload: PreferencesIn):
    """Turns e-mail per kind on or off (`{"email": {"evaluation.assigned": false}}`; kinds not named
    keep their setting; an unknown kind is refused with 422)."""
    set_email_preferences(request.user, payload.email)
    return _out(request.user)
