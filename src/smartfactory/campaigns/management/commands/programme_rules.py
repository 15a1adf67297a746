"""Print the programme's rules as a Markdown table: each rule, the guards that enforce it and the
data that sets it (the README's rule section is made with this)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from smartfactory import guards


class Command(BaseCommand):
    help = "列出规则登记表：规则、执行它的守卫和设定它的数据（Markdown）。"

    def add_arguments(self, parser):
        parser.add_argument("--notice-only", action="store_true", help="only R1–R24")

    def handle(self, *args, notice_only=False, **options):
        guards.import_all()
        enforced: dict[str, list[str]] = {}
        for name, info in sorted(guards.registered().items()):
            for rule in info.rules:
                enforced.setdefault(rule, []).append(name.removeprefix("smartfactory."))
        self.stdout.write("| id | rule | enforced by (guards) | set by (data) |")
        self.stdout.write("|---|---|---|---|")
        for rule_id, rule in guards.programme_rules().items():
            if notice_only and not rule_id.startswith("R"):
                continue
            where = "<br>".join(f"`{g}`" for g in enforced.get(rule_id, [])) or "—"
            self.stdout.write(f"| {rule_id} | {rule['title']} | {where} | {rule['set_by']} |")
