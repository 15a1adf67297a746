"""The schedule is data (``data/schedule.yaml``); this turns it into APScheduler triggers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .jobs import JOBS, run_scheduled

DATA = Path(__file__).resolve().parent / "data" / "schedule.yaml"


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: CronTrigger | IntervalTrigger
    run_at_start: bool
    misfire_grace_seconds: int


def load(path: Path = DATA) -> list[JobSpec]:
    """Every job of the file, validated: a known name and exactly one of cron/interval."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tz = ZoneInfo(raw.get("timezone", "Asia/Shanghai"))
    grace = int((raw.get("defaults") or {}).get("misfire_grace_seconds", 3600))
    specs = []
    for name, spec in raw["jobs"].items():
        if name not in JOBS:
            raise ValueError(f"schedule.yaml: unknown job {name!r} (known: {', '.join(JOBS)})")
        if ("cron" in spec) == ("interval" in spec):
            raise ValueError(f"schedule.yaml: job {name!r} needs exactly one of cron/interval")
        if "cron" in spec:
            trigger = CronTrigger.from_crontab(spec["cron"], timezone=tz)
        else:
            trigger = IntervalTrigger(timezone=tz, **{k: int(v) for k, v in spec["interval"].items()})
        specs.append(JobSpec(name, trigger, bool(spec.get("run_at_start", False)),
                             int(spec.get("misfire_grace_seconds", grace))))
    return specs


def install(scheduler: BaseScheduler, specs: list[JobSpec], *, now=None) -> None:
    """Adds each job: one instance at a time, missed runs coalesced into one."""
    for spec in specs:
        extra = {"next_run_time": now} if spec.run_at_start and now is not None else {}
        scheduler.add_job(run_scheduled, spec.trigger, args=[spec.name], id=spec.name, name=spec.name, max_instances=1,
                          coalesce=True, misfire_grace_time=spec.misfire_grace_seconds, replace_existing=True, **extra)
