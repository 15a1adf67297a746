from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "smartfactory.campaigns"
    label = "campaigns"
