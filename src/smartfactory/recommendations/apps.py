from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "smartfactory.recommendations"
    label = "recommendations"
