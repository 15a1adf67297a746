"""Run at (or after) the recommenders' online-review deadlines, e.g. hourly from cron: submits each
finalised batch with its stamped scans to MIIT and lists the batches that missed the deadline."""

from django.core.management.base import BaseCommand

from smartfactory.recommendations.services import submit_due_batches


class Command(BaseCommand):
    help = "截止后自动报送已定稿的推荐批次，并列出逾期未报送的批次。"

    def handle(self, *args, **options):
        result = submit_due_batches()
        for batch in result["submitted"]:
            self.stdout.write(f"已报送 {batch.quota}")
        for batch in result["overdue"]:
            self.stdout.write(f"逾期未报送 {batch.quota}（{batch.get_status_display()}）")
        self.stdout.write(f"submitted={len(result['submitted'])} overdue={len(result['overdue'])}")
