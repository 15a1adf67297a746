"""The jobs the scheduler runs (an explicit table: name → function). Each is idempotent and returns a
short summary for the log; each can be run by hand with ``manage.py run_job NAME``."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import close_old_connections

logger = logging.getLogger("smartfactory.scheduling")


def send_reminders() -> str:
    from smartfactory.scheduling.reminders import send_reminders as send

    sent = send()
    return " ".join(f"{kind}={n}" for kind, n in sent.items())


def send_outbox() -> str:
    """The e-mails notify() queued: sent, failures retried with back-off (notifications/outbox.py)."""
    from smartfactory.notifications.outbox import send_outbox as send

    done = send()
    return " ".join(f"{k}={n}" for k, n in done.items())


def close_recommendations() -> str:
    from smartfactory.recommendations.services import submit_due_batches

    result = submit_due_batches()
    return f"submitted={len(result['submitted'])} overdue={len(result['overdue'])}"


def close_cultivation_periods() -> str:
    from smartfactory.cultivation.services import close_expired

    return f"closed={len(close_expired())}"


def recompute_quotas() -> str:
    """Every campaign that is not closed and has quotas: recomputed from the rules file and the
    published awards (rows the ministry overrode are kept; nothing is written when nothing changed).
    A recomputation that would fall below places already used is refused and logged (P50)."""
    from smartfactory.campaigns.enums import CampaignStatus
    from smartfactory.campaigns.models import Campaign
    from smartfactory.campaigns.quotas import compute_quotas
    from smartfactory.errors import ProgrammeError

    done, refused = 0, 0
    for campaign in Campaign.objects.exclude(status=CampaignStatus.CLOSED).filter(quotas__isnull=False).distinct():
        try:
            compute_quotas(campaign, reason="定时核对名额")  # audit data: not translated
            done += 1
        except ProgrammeError as exc:
            refused += 1
            logger.warning("quotas of %s not recomputed: %s", campaign.year, exc.message)
    return f"campaigns={done} refused={refused}"


JOBS: dict[str, Callable[[], str]] = {
    "send_reminders": send_reminders,
    "send_outbox": send_outbox,
    "close_recommendations": close_recommendations,
    "close_cultivation_periods": close_cultivation_periods,
    "recompute_quotas": recompute_quotas,
}


def run(name: str) -> str:
    """Runs one job and logs its summary (or its failure)."""
    try:
        summary = JOBS[name]()
    except Exception:
        logger.exception("[scheduler] job %s failed", name)
        raise
    logger.info("[scheduler] job %s: %s", name, summary)
    return summary


def run_scheduled(name: str) -> None:
    """What the scheduler calls, in its own thread: fresh database connections around the job; a
    failure is logged and the scheduler goes on."""
    close_old_connections()
    try:
        run(name)
    except Exception:  # noqa: S110 - logged by run(); the next run tries again
        pass
    finally:
        close_old_connections()
