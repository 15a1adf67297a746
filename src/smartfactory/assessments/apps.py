from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "smartfactory.assessments"
    label = "assessments"
