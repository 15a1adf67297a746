from django.urls import path

from .views import cases, consent, lists, manage

app_name = "publicsite"
urlpatterns = [
    path("", lists.index, name="index"),
    path("awards/", lists.award_list, name="awards"),
    path("cultivation/", lists.cultivation_list, name="cultivation"),
    path("open-data/", lists.open_data, name="open_data"),
    path("open-data/awards.csv", lists.awards_csv, name="awards_csv"),
    path("open-data/awards.json", lists.awards_json, name="awards_json"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<uuid:case_id>/", cases.case_detail, name="case"),
    # the enterprise's consent
    path("consent/", consent.consent_list, name="consent_list"),
    path("consent/<uuid:case_id>/", consent.consent_case, name="consent_case"),
    # ministry staff
    path("manage/cases/", manage.case_list, name="manage_cases"),
    path("manage/cases/awards/", manage.award_list, name="manage_awards"),
    path("manage/cases/new/<int:award_id>/", manage.case_new, name="manage_case_new"),
    path("manage/cases/<uuid:case_id>/", manage.case_detail, name="manage_case"),
]
