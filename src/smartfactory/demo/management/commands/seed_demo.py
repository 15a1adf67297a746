from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smartfactory.cultivation.models import CultivationObject
from smartfactory.demo.world import seed
from smartfactory.evaluation.models import Evaluation, ExpertProfile
from smartfactory.organisations.models import Enterprise, Factory, TierAward


class Command(BaseCommand):
    help = ("Build the demo world (2025 and 2026 campaigns, authorities, ~200 enterprises, demo accounts, the national "
            "evaluation: 2025 history and 2026 evaluations at each stage). Idempotent.")

    def handle(self, *args, **options):
        if not settings.DEMO_ENABLED:
            raise CommandError("demo data is disabled in these settings (SMARTFACTORY_DEMO=0)")
        seed()
        self.stdout.write(self.style.SUCCESS(
            f"demo world ready: {Enterprise.objects.count()} enterprises, {Factory.objects.count()} factories, "
            f"{TierAward.objects.count()} tier awards, {ExpertProfile.objects.count()} experts, "
            f"{Evaluation.objects.count()} national evaluations, {CultivationObject.objects.count()} cultivation objects"
        ))
