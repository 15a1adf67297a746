from django.urls import path

from .views import (
    applications,
    campaigns,
    declarations,
    enterprises,
    home,
    paper,
    recommendations,
    thresholds,
    users,
)

app_name = "console"
urlpatterns = [
    path("", home.home, name="home"),
    path("enterprises/", enterprises.enterprise_list, name="enterprises"),
    path("enterprises/<str:uscc>/", enterprises.enterprise_detail, name="enterprise"),
    path("declarations/", declarations.declaration_list, name="declarations"),
    path("applications/", applications.application_list, name="applications"),
    path("applications/certified/", applications.certified_list, name="certified"),
    path("applications/bulk-approve/", applications.bulk_approve, name="bulk_approve"),
    path("applications/<uuid:application_id>/", applications.application_detail, name="application"),
    path("applications/<uuid:application_id>/<str:action>/", applications.application_action, name="application_action"),
    path("recommendations/", recommendations.batch_list, name="recommendations"),
    path("recommendations/<int:quota_id>/", recommendations.batch_page, name="recommendation"),
    path("recommendations/level/<int:year>/<str:tier>/", recommendations.level_page, name="level_page"),
    path("recommendations/level/<int:year>/<str:tier>/letter.docx", recommendations.level_letter, name="level_letter"),
    path("recommendations/level/<int:year>/<str:tier>.<str:fmt>", recommendations.level_document, name="level_document"),
    path("recommendations/<int:quota_id>/documents/<str:name>", recommendations.batch_document, name="recommendation_document"),
    path("recommendations/<int:quota_id>/<str:action>/", recommendations.batch_action, name="recommendation_action"),
    path("paper/", paper.paper_page, name="paper"),
    path("users/", users.user_list, name="users"),
    path("users/<int:membership_id>/revoke/", users.revoke, name="revoke"),
    path("experts/new/", users.expert_create, name="expert_create"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<int:year>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:year>/thresholds/", thresholds.threshold_page, name="thresholds"),
    path("campaigns/<int:year>/thresholds/jobs/", thresholds.job_list, name="threshold_jobs"),
]
