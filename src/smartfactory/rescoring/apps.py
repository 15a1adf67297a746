from django.apps import AppConfig


class RescoringConfig(AppConfig):
    name = "smartfactory.rescoring"
    label = "rescoring"
