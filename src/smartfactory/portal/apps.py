from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "smartfactory.portal"
    label = "portal"
