from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "smartfactory.audit"
    label = "audit"
