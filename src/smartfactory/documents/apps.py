from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "smartfactory.documents"
    label = "documents"
