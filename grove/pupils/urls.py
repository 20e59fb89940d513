"""URLs for pupils, teaching groups and the school and trust overviews."""

from django.urls import path

from grove.pupils import views

urlpatterns = [
    path("trusts/<int:trust_id>/", views.trust_overview, name="trust_overview"),
    path("schools/<int:school_id>/", views.school_overview, name="school_overview"),
    path("schools/<int:school_id>/pupils/", views.pupil_list, name="pupil_list"),
    path("schools/<int:school_id>/pupils/new/", views.pupil_new, name="pupil_new"),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/", views.pupil_profile, name="pupil_profile"
    ),
    path(
        "schools/<int:school_id>/pupils/<int:pupil_id>/characteristics/",
        views.pupil_characteristics,
        name="pupil_characteristics",
    ),
    path("schools/<int:school_id>/pupils/<int:pupil_id>/upn/", views.pupil_upn, name="pupil_upn"),
    path("schools/<int:school_id>/groups/", views.group_list, name="group_list"),
    path("schools/<int:school_id>/groups/new/", views.group_new, name="group_new"),
    path("schools/<int:school_id>/groups/<int:group_id>/", views.group_page, name="group_page"),
    path(
        "schools/<int:school_id>/groups/<int:group_id>/pupils/",
        views.group_pupils,
        name="group_pupils",
    ),
]
