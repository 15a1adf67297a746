from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "smartfactory.notifications"
    label = "notifications"
