"""Run daily (cron): reminders before and after each progress report's due date and before each
period ends; periods that ended without acceptance are flagged and closed."""

from django.core.management.base import BaseCommand

from smartfactory.cultivation.services import close_expired, send_reminders


class Command(BaseCommand):
    help = "发送培育对象进展报告提醒，关闭到期未验收的培育对象。"

    def handle(self, *args, **options):
        sent = send_reminders()
        closed = close_expired()
        self.stdout.write(f"reminders={sent} closed={len(closed)}")
