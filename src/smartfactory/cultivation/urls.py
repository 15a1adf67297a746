from django.urls import path

from . import views

urlpatterns = [
    path("cultivation/", views.cultivation_list, name="cultivation_list"),
    path("cultivation/<uuid:cultivation_id>/", views.cultivation_detail, name="cultivation_detail"),
    path("cultivation/<uuid:cultivation_id>/acceptance/", views.acceptance_page, name="acceptance_page"),
    path("cultivation/acceptance/<uuid:acceptance_id>/evidence/<uuid:evidence_id>/", views.acceptance_evidence,
         name="acceptance_evidence"),
]
