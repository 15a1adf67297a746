import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartfactory.errors import InvalidInput
from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.frameworks.services import spec_for


class Command(BaseCommand):
    help = "Evaluate a facts JSON file against a framework version and print the verdict (as the API does)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="facts JSON file, or - for standard input")
        parser.add_argument("--framework", default="2025", help="framework version (default 2025)")

    def handle(self, *args, file, framework, **options):
        if not FrameworkVersion.objects.filter(version=framework).exists():
            raise CommandError(f"framework version {framework} is not loaded (manage.py load_frameworks)")
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            raw = json.loads(text)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"cannot read facts: {error}") from error
        spec = spec_for(framework)
        try:
            verdict = evaluate(spec, validate_facts(spec, raw))
        except InvalidInput as error:
            raise CommandError(f"{error.field}: {error.message}") from error
        self.stdout.write(json.dumps(verdict, ensure_ascii=False, indent=2))
