from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "smartfactory.evaluation"
    label = "evaluation"
