from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "smartfactory.frameworks"
    label = "frameworks"
