"""A campaign's status on the engine (``smartfactory.workflow``):

    planned ──open──▶ open ──close──▶ closed
       └──────────────close─────────────┘

Ministry staff (or a platform admin) open the year and close it; a campaign never goes back (its
framework version is pinned once it opens, and a closed year takes no more settings), so there is no
reopen. ``setup.update_campaign`` edits the campaign's other fields and takes ``open`` or ``close``
when its form changes the status. Audit events campaign.open and campaign.close (the status before
and after), besides the form's campaign.update."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.organisations.rules import is_ministry_staff_or_platform_admin
from smartfactory.workflow import Machine, Transition
from smartfactory.workflow import transition as run

from .enums import CampaignStatus
from .models import Campaign


class Act:
    OPEN = "open"
    CLOSE = "close"


LABELS = {Act.OPEN: gettext_noop("开始年度行动"), Act.CLOSE: gettext_noop("结束年度行动")}
# the action that brings a campaign to a status its form asks for
TO_STATUS = {CampaignStatus.OPEN: Act.OPEN, CampaignStatus.CLOSED: Act.CLOSE}


@dataclass
class Ctx:
    campaign: Campaign
    actor: object


def is_ministry(user, campaign: Campaign) -> bool:
    return user is not None and is_ministry_staff_or_platform_admin(user)


S = CampaignStatus
TABLE: dict[str, Transition] = {
    Act.OPEN: Transition(frozenset({S.PLANNED}), is_ministry, target=S.OPEN),
    Act.CLOSE: Transition(frozenset({S.PLANNED, S.OPEN}), is_ministry, target=S.CLOSED),
}

MACHINE = Machine(
    name="campaign", model=Campaign, table=TABLE, state_field="status",
    context=lambda campaign, actor: Ctx(campaign=campaign, actor=actor),
    audit=lambda campaign: {"status": campaign.status},
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(CampaignStatus(state).label),
    refused=gettext_noop("年度行动当前为“%(s)s”，不能%(a)s。"),
)


def transition(campaign: Campaign, action: str, *, actor) -> Campaign:
    """Take ``action`` on the campaign through the engine: row lock; state and who-may; the status;
    save; the audit event campaign.<action>."""
    return run(MACHINE, campaign, action, actor=actor)
