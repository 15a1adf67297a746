from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "smartfactory.regions"
    label = "regions"
