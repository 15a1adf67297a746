"""Co-department concurrence (联合部门会签) with a recommendation batch (R3/P18: a province
recommends 联合相关部门).

Each co-department (发改, 财政, 国资, 市场监管, 数据) of the recommending province concurs with the
batch's priority order: through its own account (a reviewer or leader of that department), or the
recommender's leader records it with the co-department's letter number (会签函文号). Each
concurrence is a row with who, when and the order it was given on; reordering the batch after a
concurrence asks for it again. The finalise guard (``ensure_batch_concurrence``) requires one per
co-department for the current order, whichever way it was given.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import is_leader_at, reviewer_membership_among

from .models import Batch, BatchConcurrence
from .queries import co_departments, recommended, recommender_authority


def current_order(batch: Batch) -> list[str]:
    return [str(pk) for pk in recommended(batch.quota).values_list("pk", flat=True)]


def order_hash(order: list[str]) -> str:
    return hashlib.sha256("\n".join(order).encode()).hexdigest()


def concurrences_for(batch: Batch) -> list[BatchConcurrence]:
    """The concurrences with the batch's current order."""
    return list(batch.concurrences.filter(order_hash=order_hash(current_order(batch)))
                .select_related("authority", "given_by"))


def stale_concurrences(batch: Batch) -> list[BatchConcurrence]:
    """Concurrences given on an earlier order (shown so the leader knows whom to ask again)."""
    return list(batch.concurrences.exclude(order_hash=order_hash(current_order(batch))).select_related("authority"))


@guard("R3", "P18")
def ensure_batch_concurrence(batch: Batch) -> list[str]:
    """Finalising needs every co-department's concurrence with the current order, given by its own
    account or recorded with its letter number. Returns their ids (kept on the batch)."""
    needed = {str(a.pk): a.name for a in co_departments(batch.quota)}
    given = {str(c.authority_id) for c in concurrences_for(batch)}
    missing = [name for pk, name in needed.items() if pk not in given]
    if missing:
        raise NotEligible(
            _("定稿须有联合部门对当前推荐顺序的会签意见（由其本单位账号会签，或凭会签函文号登记），尚缺：%(n)s")
            % {"n": "、".join(missing)}, field="concurrence")
    return sorted(needed)


def _own_department(user, batch: Batch) -> Authority | None:
    """The co-department of the batch's recommender where the user is an active reviewer or leader."""
    required = {a.pk: a for a in co_departments(batch.quota)}
    membership = reviewer_membership_among(user, required)
    return required[membership.authority_id] if membership else None


def awaiting_concurrence(batch: Batch) -> bool:
    return batch.status == Batch.Status.OPEN and recommended(batch.quota).exists()


def can_give(user, batch: Batch) -> bool:
    return awaiting_concurrence(batch) and _own_department(user, batch) is not None


def can_record_letter(user, batch: Batch) -> bool:
    """The recommender's (lead department's) leader."""
    authority = recommender_authority(batch.quota)
    return awaiting_concurrence(batch) and authority is not None and is_leader_at(user, authority)


def _locked(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("quota", "quota__campaign").get(pk=batch.pk)


def _create(batch: Batch, *, authority: Authority, actor, letter_number: str, opinion: str) -> BatchConcurrence:
    if not awaiting_concurrence(batch):
        raise TransitionNotAllowed(_("推荐批次不在排序中或尚无已推荐的申报，不能会签。"))
    order = current_order(batch)
    digest = order_hash(order)
    if batch.concurrences.filter(order_hash=digest, authority=authority).exists():
        raise Conflict(_("%(n)s已对当前推荐顺序会签。") % {"n": authority.name})
    row = BatchConcurrence.objects.create(batch=batch, authority=authority, order=order, order_hash=digest,
                                          given_by=actor, letter_number=letter_number, opinion=opinion)
    record_event("recommendation.concurrence", actor=actor, obj=batch, after={
        "authority": str(authority.pk), "name": authority.name, "order": order,
        "letter_number": letter_number, "opinion": opinion, "by": actor.get_username(),
    })
    return row


@transaction.atomic
def give(batch: Batch, *, actor, opinion: str = "") -> BatchConcurrence:
    """A co-department concurs with the current order through its own account. Side effects: the
    concurrence row; audit event recommendation.concurrence."""
    batch = _locked(batch)
    if not awaiting_concurrence(batch):
        raise TransitionNotAllowed(_("推荐批次不在排序中或尚无已推荐的申报，不能会签。"))
    authority = _own_department(actor, batch)
    if authority is None:
        raise NotPermitted(_("只有须会签的联合部门的人员可以会签。"))
    return _create(batch, authority=authority, actor=actor, letter_number="", opinion=opinion.strip())


@transaction.atomic
def record_letter(batch: Batch, *, actor, authority: Authority, letter_number: str,
                  opinion: str = "") -> BatchConcurrence:
    """The recommender's leader records a co-department's concurrence from its letter; the letter
    number is required. Side effects: the concurrence row; audit event recommendation.concurrence."""
    batch = _locked(batch)
    if not can_record_letter(actor, batch):
        if not awaiting_concurrence(batch):
            raise TransitionNotAllowed(_("推荐批次不在排序中或尚无已推荐的申报，不能会签。"))
        raise NotPermitted()
    if authority.pk not in {a.pk for a in co_departments(batch.quota)}:
        raise InvalidInput(_("该单位不是须会签的联合部门。"), field="authority")
    if not letter_number.strip():
        raise InvalidInput(_("代为登记联合部门的会签意见，请填写其会签函文号。"), field="letter_number")
    return _create(batch, authority=authority, actor=actor, letter_number=letter_number.strip(), opinion=opinion.strip())
