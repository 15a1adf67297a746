from django.apps import AppConfig


class PublicsiteConfig(AppConfig):
    name = "smartfactory.publicsite"
    label = "publicsite"
    verbose_name = "公开名单与案例库"
