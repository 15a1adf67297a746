"""The scheduler process (started by ``make run`` beside the web server and the task worker): runs
the jobs of ``scheduling/data/schedule.yaml`` at their times until SIGINT/SIGTERM."""

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from django.core.management.base import BaseCommand
from django.utils import timezone

from smartfactory.scheduling.schedule import install, load


class Command(BaseCommand):
    help = "按 scheduling/data/schedule.yaml 定时运行提醒、通知邮件发送、推荐批次报送、培育期关闭和名额核对等任务。"

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="只列出各任务的下次运行时间")

    def handle(self, *args, **options):
        # each job's summary on the console (the project's root logger shows warnings only)
        logging.getLogger("smartfactory.scheduling").setLevel(logging.INFO)
        specs = load()
        scheduler = BlockingScheduler(timezone="Asia/Shanghai")
        install(scheduler, specs, now=timezone.now())
        if options["list"]:
            now = timezone.now()
            for spec in specs:
                self.stdout.write(f"{spec.name}: {spec.trigger} next {spec.trigger.get_next_fire_time(None, now)}")
            return

        def stop(signum, frame):
            logging.getLogger("smartfactory.scheduling").info("signal %s: stopping", signum)
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"scheduler: {len(specs)} jobs ({', '.join(s.name for s in specs)})")
        self.stdout.flush()
        scheduler.start()
