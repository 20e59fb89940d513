"""URLs for imports from the MIS."""

from django.urls import path

from grove.interop import views

urlpatterns = [
    path("schools/<int:school_id>/imports/", views.import_list, name="import_list"),
    path("schools/<int:school_id>/imports/new/", views.import_new, name="import_new"),
    path("schools/<int:school_id>/imports/<int:job_id>/", views.import_job, name="import_job"),
    path(
        "schools/<int:school_id>/imports/<int:job_id>/columns/",
        views.import_columns,
        name="import_columns",
    ),
]
