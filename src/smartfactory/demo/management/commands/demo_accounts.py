from django.core.management.base import BaseCommand

from smartfactory.demo.common import DEFAULT_PASSWORD, demo_password
from smartfactory.demo.national import EXPERT_PROFILES
from smartfactory.demo.world import ACCOUNTS
from smartfactory.organisations.enums import Role


class Command(BaseCommand):
    help = "Print the demo accounts and their roles."

    def handle(self, *args, **options):
        shown = "（环境变量 DEMO_PASSWORD）" if demo_password() != DEFAULT_PASSWORD else DEFAULT_PASSWORD
        self.stdout.write(f"演示账号 / demo accounts (password: {shown})")
        for username, display, role, _key in ACCOUNTS:
            organisation = f"  {EXPERT_PROFILES[username][0]}" if username in EXPERT_PROFILES else ""
            self.stdout.write(f"  {username:<17} {Role(role).label}  {display}{organisation}")
