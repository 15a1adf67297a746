from django.urls import path

from .views import campaigns, declarations, enterprises, home, users

app_name = "console"
urlpatterns = [
    path("", home.home, name="home"),
    path("enterprises/", enterprises.enterprise_list, name="enterprises"),
    path("enterprises/<str:uscc>/", enterprises.enterprise_detail, name="enterprise"),
    path("declarations/", declarations.declaration_list, name="declarations"),
    path("users/", users.user_list, name="users"),
    path("users/<int:membership_id>/revoke/", users.revoke, name="revoke"),
    path("experts/new/", users.expert_create, name="expert_create"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<int:year>/", campaigns.campaign_detail, name="campaign"),
]
