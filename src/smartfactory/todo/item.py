"""One to-do: what to do, on what, where, and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from smartfactory.campaigns.services import format_deadline
from smartfactory.recommendations.queries import recommender_authority


@dataclass(frozen=True)
class Item:
    kind: str  # application, evaluation, assignment, batch, site_visit, objection, progress_report,
    #            acceptance, supervision, recheck
    what: str  # what to do, in words
    subject: str  # the object, in words
    link: str
    deadline: datetime | None = None

    @property
    def days_left(self) -> int | None:
        if self.deadline is None:
            return None
        return (timezone.localtime(self.deadline).date() - timezone.localdate()).days

    @property
    def deadline_text(self) -> str:
        """As officials write it: an end-of-day deadline reads "2025-07-18 24:00"."""
        return format_deadline(self.deadline) if self.deadline is not None else ""

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline <= timezone.now()


class Recommenders:
    """``recommender_authority`` memoised per quota: a list of many objects of the same quota costs
    the lookups of one. ``recommends(quota, authority_ids)``: is its recommender one of them?"""

    def __init__(self) -> None:
        self._seen: dict = {}

    def recommends(self, quota, authority_ids) -> bool:
        if quota.pk not in self._seen:
            self._seen[quota.pk] = recommender_authority(quota)
        recommender = self._seen[quota.pk]
        return recommender is not None and recommender.pk in authority_ids
