"""Run daily (the scheduler does; see scheduling/data/schedule.yaml): reminders before every deadline
that binds a user, each sent once."""

from django.core.management.base import BaseCommand

from smartfactory.scheduling.reminders import send_reminders


class Command(BaseCommand):
    help = "发送截止提醒（企业申报、各级审核、专家评分、现场核查确认、公示异议处理、培育进展报告），每条只发一次。"

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(" ".join(f"{kind}={n}" for kind, n in sent.items()) or "nothing due")
