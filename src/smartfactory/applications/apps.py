from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "smartfactory.applications"
    label = "applications"
