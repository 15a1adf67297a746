"""Sends the e-mails notify() queued (the scheduler does it every minute: the ``send_outbox`` job of
scheduling/data/schedule.yaml)."""

from django.core.management.base import BaseCommand

from smartfactory.notifications.outbox import outbox_counts, send_outbox


class Command(BaseCommand):
    help = "发送邮件发件箱中待发送的通知邮件（失败的按退避间隔重试，达到最大次数后标记为发送失败）。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="本次最多发送的邮件数（默认 100）")

    def handle(self, *args, limit=100, **options):
        done = send_outbox(limit=limit)
        left = outbox_counts()
        self.stdout.write(f"sent={done['sent']} retry={done['retry']} failed={done['failed']} "
                          f"pending={left['pending']} failed_total={left['failed']}")
