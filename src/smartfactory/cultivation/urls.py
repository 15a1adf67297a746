from django.urls import path

from . import views

urlpatterns = [
    path("cultivation/", views.cultivation_list, name="cultivation_list"),
    path("cultivation/<uuid:cultivation_id>/", views.cultivation_detail, name="cultivation_detail"),
]
