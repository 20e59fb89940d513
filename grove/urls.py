"""Grove's URL configuration: each app's pages, allauth's account pages, and the admin."""

from django.contrib import admin
from django.urls import include, path

from grove.core import views as core_views

urlpatterns = [
    path("", include("grove.core.urls")),
    path("", include("grove.pupils.urls")),
    path("", include("grove.tracking.urls")),
    path("", include("grove.interop.urls")),
    # A school manages its staff's email addresses: sign-in and password resets go to them, so
    # nobody changes their own to an address nobody has checked.
    path("accounts/email/", core_views.email_managed, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
