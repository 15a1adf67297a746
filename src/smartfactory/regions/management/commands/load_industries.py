"""manage.py load_industries [--path CSV]: load GB/T 4754-2017 门类 and 大类 (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from smartfactory.regions.services import INDUSTRIES_FILE, ReferenceDataError, load_industries

from .load_regions import format_counts


class Command(BaseCommand):
    help = "Load the industry classification (GB/T 4754-2017 门类 and industrial 大类) from regions/data; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=None, help=f"csv file (default: {INDUSTRIES_FILE.name})")

    def handle(self, *args, path=None, **options):
        try:
            result = load_industries(path)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_counts("industries", result))
