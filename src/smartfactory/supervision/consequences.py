"""What a supervision decision changes in the 领航级 cultivation.

A 领航级 cultivation object stands on the factory's 卓越级 (R16: 须已获评卓越级). When that award is
revoked and the factory holds no other active 卓越级, the object's cultivation ends: its status becomes
``terminated`` (终止培育) with the revocation's reason, in the supervision decision's transaction,
with an audit event ``cultivation.terminated`` per object; it leaves the public cultivation list
(``publicsite.queries.public_cultivation``) and the reminders, and stays visible to the enterprise,
its province and the ministry with its reason; no new acceptance can be applied for (its status is
no longer cultivating). A suspension does not end the cultivation: it is temporary and may be lifted.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.cultivation.models import CultivationObject
from smartfactory.errors import NotEligible, ProgrammeError
from smartfactory.guards import guard
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward


@guard("P84")
def cultivation_founded_on_excellent(cultivation: CultivationObject) -> None:
    """A cultivation object whose factory no longer holds an active 卓越级 has no ground."""
    if not TierAward.objects.filter(factory_id=cultivation.factory_id, tier=Tier.EXCELLENT,
                                    status=AwardStatus.ACTIVE).exists():
        raise NotEligible(_("该工厂的卓越级智能工厂认定已被撤销，领航级培育终止。"))


def end_cultivation_without_ground(award: TierAward, *, actor, reason: str) -> list[CultivationObject]:
    """Called by the supervision decision that revoked ``award``, inside its transaction. Side
    effects, per object that lost its ground: status terminated with the reason; audit event
    ``cultivation.terminated``. Returns the objects ended."""
    if award.tier != Tier.EXCELLENT or award.status != AwardStatus.REVOKED:
        return []
    ended = []
    for cultivation in CultivationObject.objects.select_for_update().filter(
            factory_id=award.factory_id, status=CultivationObject.Status.CULTIVATING):
        try:
            cultivation_founded_on_excellent(cultivation)
        except ProgrammeError as refusal:
            cultivation.status = CultivationObject.Status.TERMINATED
            cultivation.closed_reason = f"{refusal.message}（{award.certificate_no}）{reason.strip()}"
            cultivation.save(update_fields=["status", "closed_reason"])
            record_event("cultivation.terminated", actor=actor, obj=cultivation, reason=cultivation.closed_reason,
                         before={"status": CultivationObject.Status.CULTIVATING},
                         after={"status": cultivation.status, "award": award.pk, "certificate_no": award.certificate_no})
            ended.append(cultivation)
    return ended
