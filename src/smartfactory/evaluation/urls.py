from django.urls import path

from . import views

urlpatterns = [
    path("publicity/", views.publicity_index, name="publicity_index"),
    path("publicity/<uuid:publicity_id>/", views.publicity_public, name="publicity_public"),
    path("site-visits/<int:visit_id>/", views.site_visit, name="site_visit"),
]
