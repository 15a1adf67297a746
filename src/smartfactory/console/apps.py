from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "smartfactory.console"
    label = "console"
