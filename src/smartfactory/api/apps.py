from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "smartfactory.api"
    label = "api"
