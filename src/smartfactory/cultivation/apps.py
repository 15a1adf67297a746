from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "smartfactory.cultivation"
    label = "cultivation"
