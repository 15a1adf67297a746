from django.urls import path

from .views import applications, assessments, book, enterprises, factories, home, regions, registration

app_name = "portal"
urlpatterns = [
    path("", home.home, name="home"),
    path("register/", registration.register, name="register"),
    path("regions/options/", regions.division_options, name="division_options"),
    path("enterprises/<str:uscc>/", enterprises.enterprise_detail, name="enterprise"),
    path("enterprises/<str:uscc>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<str:uscc>/changes/", enterprises.enterprise_change, name="enterprise_change"),
    path("enterprises/<str:uscc>/changes/<uuid:change_id>/withdraw/", enterprises.enterprise_change_withdraw,
         name="enterprise_change_withdraw"),
    path("enterprises/<str:uscc>/members/", enterprises.members, name="members"),
    path(
        "enterprises/<str:uscc>/members/<int:membership_id>/<str:decision>/",
        enterprises.decide_member,
        name="decide_member",
    ),
    path("enterprises/<str:uscc>/factories/new/", factories.factory_create, name="factory_create"),
    path("factories/<uuid:factory_id>/", factories.factory_detail, name="factory"),
    path("factories/<uuid:factory_id>/edit/", factories.factory_edit, name="factory_edit"),
    path("factories/<uuid:factory_id>/assessment/", assessments.start, name="assessment_start"),
    path("factories/<uuid:factory_id>/apply/", applications.apply, name="apply"),
    path("applications/<uuid:application_id>/", applications.application_page, name="application"),
    path("applications/<uuid:application_id>/book/<str:key>/", book.save_entry, name="book_save"),
    path("applications/<uuid:application_id>/attachments/", book.upload, name="book_upload"),
    path("applications/<uuid:application_id>/attachments/<uuid:attachment_id>/", book.download, name="book_download"),
    path("applications/<uuid:application_id>/attachments/<uuid:attachment_id>/remove/", book.remove, name="book_remove"),
    path("applications/<uuid:application_id>/legal-representative/", book.legal_representative, name="book_legal_rep"),
    path("applications/<uuid:application_id>/justification/", book.justification, name="book_justification"),
    path("applications/<uuid:application_id>/commitment.<str:fmt>", book.commitment, name="book_commitment"),
    path("applications/<uuid:application_id>/book.pdf", book.book_pdf, name="book_pdf"),
    path("applications/<uuid:application_id>/receipt/<int:number>.pdf", book.receipt, name="book_receipt"),
    path("applications/<uuid:application_id>/<str:action>/", applications.application_action, name="application_action"),
    path("assessments/<uuid:assessment_id>/", assessments.questionnaire_page, name="assessment"),
    path("assessments/<uuid:assessment_id>/answers/<str:key>/", assessments.save, name="assessment_save"),
    path("assessments/<uuid:assessment_id>/progress/", assessments.progress_fragment, name="assessment_progress"),
    path("assessments/<uuid:assessment_id>/result/", assessments.result, name="assessment_result"),
    path("assessments/<uuid:assessment_id>/declare/", assessments.declare, name="assessment_declare"),
    path("assessments/<uuid:assessment_id>/report.pdf", assessments.report_pdf, name="assessment_report"),
    path("assessments/<uuid:assessment_id>/evidence/<str:key>/", assessments.upload_evidence, name="evidence_upload"),
    path(
        "assessments/<uuid:assessment_id>/evidence/<uuid:evidence_id>/download/",
        assessments.download_evidence,
        name="evidence_download",
    ),
]
