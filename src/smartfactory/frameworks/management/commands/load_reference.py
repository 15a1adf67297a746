"""Load all reference data: divisions and industries (regions), then framework versions.

To add a data set, add one ``(label, loader)`` line to ``LOADERS``; a loader takes no arguments and
returns the counts it printed, or a list of (version, changed) for frameworks.
"""

from django.core.management.base import BaseCommand, CommandError

from smartfactory.frameworks.services import load_all_frameworks
from smartfactory.frameworks.spec import FrameworkDataError
from smartfactory.regions.management.commands.load_regions import format_counts
from smartfactory.regions.services import ReferenceDataError, load_divisions, load_industries

LOADERS = [
    ("divisions", load_divisions),
    ("industries", load_industries),
    ("frameworks", load_all_frameworks),
]


class Command(BaseCommand):
    help = "Load all reference data (divisions, industries, framework versions); idempotent."

    def handle(self, *args, **options):
        for label, loader in LOADERS:
            try:
                result = loader()
            except (ReferenceDataError, FrameworkDataError) as exc:
                raise CommandError(f"{label}: {exc}") from exc
            if isinstance(result, dict):
                self.stdout.write(format_counts(label, result))
            else:
                self.stdout.write(f"{label}: " + ", ".join(f"{v} {'loaded' if c else 'unchanged'}" for v, c in result))
