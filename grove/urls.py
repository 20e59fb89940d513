"""Grove's URL configuration: each app's pages, allauth's account pages, and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("grove.core.urls")),
    path("", include("grove.pupils.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
