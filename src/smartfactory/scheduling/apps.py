from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "smartfactory.scheduling"
    label = "scheduling"
