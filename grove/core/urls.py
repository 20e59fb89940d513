"""URLs for the core's pages."""

from django.urls import path

from grove.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-school/", views.switch_school, name="switch_school"),
    path("mfa-required/", views.mfa_required, name="mfa_required"),
    path("schools/<int:school_id>/staff/", views.staff_list, name="staff_list"),
    path("schools/<int:school_id>/staff/new/", views.staff_new, name="staff_new"),
    path(
        "schools/<int:school_id>/staff/roles/<int:membership_id>/remove/",
        views.staff_role_remove,
        name="staff_role_remove",
    ),
    path("schools/<int:school_id>/audit/", views.audit_log, name="audit_log"),
    path("trusts/<int:trust_id>/settings/", views.trust_settings, name="trust_settings"),
]
