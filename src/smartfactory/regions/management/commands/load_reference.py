"""manage.py load_reference: load every bundled reference data set, each idempotently.

To add a data set, add one ``(label, loader)`` line to ``LOADERS``; a loader takes no arguments and
returns ``{"created", "updated", "closed", "total_by_level", ...}``.
"""

from django.core.management.base import BaseCommand, CommandError

from smartfactory.regions.services import ReferenceDataError, load_divisions, load_industries

from .load_regions import format_counts

LOADERS = [
    ("divisions", load_divisions),
    ("industries", load_industries),
]


class Command(BaseCommand):
    help = "Load all reference data (divisions, industries, …); idempotent."

    def handle(self, *args, **options):
        for label, loader in LOADERS:
            try:
                result = loader()
            except ReferenceDataError as exc:
                raise CommandError(f"{label}: {exc}") from exc
            self.stdout.write(format_counts(label, result))
