"""Supervision pages for enterprises, mounted at /portal/supervision/."""

from django.urls import path

from .views import portal

app_name = "supervision_portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("cases/<uuid:case_id>/", portal.case_page, name="case"),
    path("recheck/<uuid:item_id>/", portal.recheck_item, name="recheck_item"),
]
