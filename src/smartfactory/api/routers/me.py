from django.utils.translation import gettext as _
from ninja import Router, Schema

from smartfactory.organisations.queries import jurisdiction_for
from smartfactory.organisations.rules import active_memberships

router = Router(tags=["me"])


class RoleOut(Schema):
    role: str
    role_label: str
    organisation_type: str | None
    organisation_id: str | None
    organisation_name: str | None


class JurisdictionOut(Schema):
    everything: bool
    authorities: list[str]
    enterprises: list[str]
    description: str


class MeOut(Schema):
    username: str
    display_name: str
    email: str
    roles: list[RoleOut]
    jurisdiction: JurisdictionOut


def _describe(memberships) -> str:
    parts = []
    for m in memberships:
        if m.authority_id:
            parts.append(f"{m.authority.name}（{m.authority.get_level_display()}）")
        elif m.enterprise_id:
            parts.append(m.enterprise.name)
    return "；".join(parts)


@router.get("", response=MeOut)
def me(request):
    """Who am I: roles, organisations and the jurisdiction every list is filtered by."""
    user = request.user
    memberships = active_memberships(user)
    j = jurisdiction_for(user)
    roles = []
    for m in memberships:
        org = m.authority or m.enterprise
        roles.append({
            "role": m.role, "role_label": m.get_role_display(),
            "organisation_type": "authority" if m.authority_id else ("enterprise" if m.enterprise_id else None),
            "organisation_id": (str(m.authority_id) if m.authority_id else m.enterprise.uscc) if org else None,
            "organisation_name": str(org) if org else None,
        })
    return {
        "username": user.username, "display_name": user.display_name, "email": user.email, "roles": roles,
        "jurisdiction": {
            "everything": j.everything,
            "authorities": [str(a) for a in j.authority_ids],
            "enterprises": [m.enterprise.uscc for m in memberships if m.enterprise_id],
            "description": _("全国") if j.everything else _describe(memberships),
        },
    }
