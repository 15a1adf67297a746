"""manage.py load_regions [--path CSV]: load administrative divisions (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from smartfactory.regions.services import DIVISIONS_FILE, ReferenceDataError, load_divisions


class Command(BaseCommand):
    help = "Load administrative divisions (GB/T 2260, NBS statistical codes) from regions/data; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=None, help=f"csv file (default: {DIVISIONS_FILE.name})")

    def handle(self, *args, path=None, **options):
        try:
            result = load_divisions(path)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_counts("divisions", result))


def format_counts(label: str, result: dict) -> str:
    """One line: ``divisions: created 3349, updated 0, closed 0; province 32, city 342, county 2975``."""
    levels = ", ".join(f"{level} {n}" for level, n in result["total_by_level"].items())
    line = f"{label}: created {result['created']}, updated {result['updated']}, closed {result['closed']}; {levels}"
    return line
