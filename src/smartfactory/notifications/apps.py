from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "smartfactory.notifications"
    label = "notifications"

    def ready(self) -> None:
        # The workflow engine sits below organisations (so memberships and change requests can use it)
        # and may not import notifications, which builds on organisations: notifications hands the
        # engine its notice sender when Django starts (looked up at each call).
        from smartfactory import workflow

        from . import services

        workflow.register_sender(lambda users, **notice: services.notify(users, **notice))
