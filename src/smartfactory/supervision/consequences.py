"""What a supervision decision changes in the 领航级 cultivation.

A 领航级 cultivation object stands on the factory's 卓越级 (R16: 须已获评卓越级). When that award is
revoked and the factory holds no other active 卓越级, the object's cultivation ends through its own
machine (``cultivation.workflow``, action ``end``, guard ``ground_lost``, P84): its status becomes
``terminated`` (终止培育) with the revocation's reason, in the supervision decision's transaction,
with an audit event ``cultivation.terminated`` per object; it leaves the public cultivation list
(``publicsite.queries.public_cultivation``) and the reminders, and stays visible to the enterprise,
its province and the ministry with its reason; no new acceptance can be applied for (its status is
no longer cultivating). A suspension does not end the cultivation: it is temporary and may be lifted.
"""

from __future__ import annotations

from smartfactory.cultivation import workflow as cultivation_flow
from smartfactory.cultivation.models import CultivationObject
from smartfactory.errors import NotEligible
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward


def end_cultivation_without_ground(award: TierAward, *, actor, reason: str) -> list[CultivationObject]:
    """Called by the supervision decision that revoked ``award``, inside its transaction: each
    cultivating object of the factory is ended (status terminated with the reason; audit event
    ``cultivation.terminated``) unless the factory still holds another active 卓越级. Returns the
    objects ended."""
    if award.tier != Tier.EXCELLENT or award.status != AwardStatus.REVOKED:
        return []
    ended = []
    for cultivation in CultivationObject.objects.filter(factory_id=award.factory_id,
                                                        status=CultivationObject.Status.CULTIVATING):
        try:
            ended.append(cultivation_flow.transition(cultivation, cultivation_flow.Act.END, actor=actor,
                                                     reason=reason, award=award))
        except NotEligible:  # another active 卓越级 still founds it (ground_lost refused)
            continue
    return ended
