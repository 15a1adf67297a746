from django.core.management.base import BaseCommand, CommandError

from smartfactory.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        checked, broken, why = verify_chain()
        if broken is not None:
            raise CommandError(
                f"audit chain broken at seq {broken.seq} (id {broken.pk}, action {broken.action}): {why}; "
                f"{checked} events before it verified"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} events verified"))
