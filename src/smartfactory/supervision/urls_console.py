"""Supervision pages for authorities and MIIT, mounted at /console/supervision/."""

from django.urls import path

from .views import console_cases, console_recheck

app_name = "supervision_console"
urlpatterns = [
    path("", console_cases.case_list, name="cases"),
    path("new/", console_cases.case_new, name="case_new"),
    path("recheck/", console_recheck.round_list, name="rechecks"),
    path("recheck/<uuid:round_id>/", console_recheck.round_detail, name="recheck"),
    path("recheck/<uuid:round_id>/close/", console_recheck.round_close, name="recheck_close"),
    path("<uuid:case_id>/", console_cases.case_detail, name="case"),
    path("<uuid:case_id>/<str:action>/", console_cases.case_action, name="case_action"),
]
