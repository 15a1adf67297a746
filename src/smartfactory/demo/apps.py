from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world: a realistic campaign to try the platform with. Never seeded in production."""

    name = "smartfactory.demo"
    label = "demo"
