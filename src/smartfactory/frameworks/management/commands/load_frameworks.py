from django.core.management.base import BaseCommand

from smartfactory.frameworks.services import load_all_frameworks


class Command(BaseCommand):
    help = "Load every framework version from frameworks/data/framework-*.yaml (idempotent)."

    def handle(self, *args, **options):
        for version, changed in load_all_frameworks():
            self.stdout.write(f"framework {version}: {'loaded' if changed else 'unchanged'}")
