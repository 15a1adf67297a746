"""Runs one scheduled job now, by hand (the scheduler runs them at the times of schedule.yaml)."""

from django.core.management.base import BaseCommand, CommandError

from smartfactory.scheduling.jobs import JOBS, run


class Command(BaseCommand):
    help = "立即运行一个定时任务（send_reminders、send_outbox、close_recommendations、close_cultivation_periods、recompute_quotas）。"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="任务名")
        parser.add_argument("--list", action="store_true", help="列出任务")

    def handle(self, *args, name=None, **options):
        if options["list"] or not name:
            for job in JOBS:
                self.stdout.write(job)
            return
        if name not in JOBS:
            raise CommandError(f"unknown job {name!r}; known: {', '.join(JOBS)}")
        self.stdout.write(run(name))
