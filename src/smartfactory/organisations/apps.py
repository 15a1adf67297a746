from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "smartfactory.organisations"
    label = "organisations"
