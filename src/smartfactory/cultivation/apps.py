from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "smartfactory.cultivation"
    label = "cultivation"

    def ready(self) -> None:
        from smartfactory.evaluation import hooks

        from . import acceptance

        hooks.register_acceptance(checks=acceptance.acceptance_checks, concluded=acceptance.conclude)
