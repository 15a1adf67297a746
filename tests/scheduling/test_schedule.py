"""The schedule is data (scheduling/data/schedule.yaml); every job runs by hand and again harmlessly."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from django.core.management import call_command

from smartfactory.scheduling.jobs import JOBS
from smartfactory.scheduling.schedule import install, load

BJ = ZoneInfo("Asia/Shanghai")


def test_the_schedule_file_names_every_job_with_a_trigger():
    specs = {s.name: s for s in load()}
    assert set(specs) == set(JOBS)
    now = datetime(2041, 7, 10, 7, 0, tzinfo=BJ)
    assert specs["send_reminders"].trigger.get_next_fire_time(None, now) == datetime(2041, 7, 10, 8, 0, tzinfo=BJ)
    assert specs["close_recommendations"].run_at_start


def test_a_bad_schedule_is_refused(tmp_path):
    path = tmp_path / "schedule.yaml"
    path.write_text("jobs:\n  no_such_job: {cron: '0 8 * * *'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown job"):
        load(path)
    path.write_text("jobs:\n  send_reminders: {cron: '0 8 * * *', interval: {minutes: 5}}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="exactly one"):
        load(path)


def test_jobs_are_installed_one_instance_at_a_time_and_coalesced():
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    now = datetime(2041, 7, 10, 7, 0, tzinfo=BJ)
    install(scheduler, load(), now=now)
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    assert all(j.max_instances == 1 and j.coalesce for j in jobs.values())
    assert jobs["send_reminders"].next_run_time == now  # run_at_start: catches up after downtime


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(JOBS))
def test_every_job_runs_by_hand_twice(name, capsys):
    call_command("run_job", name)
    call_command("run_job", name)
    out = capsys.readouterr().out
    assert out.count("=") >= 2 or name == "send_reminders"
