from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "smartfactory.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        # The workflow engine sits below organisations (so memberships and change requests can use it) and
        # may not import notifications, which builds on organisations. Campaigns is the lowest app that may
        # import both, so it hands the engine its notice sender (looked up at each call, as before).
        from smartfactory import workflow
        from smartfactory.notifications import services as notifications

        workflow.register_sender(lambda users, **notice: notifications.notify(users, **notice))
