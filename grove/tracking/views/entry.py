"""Tracking views: entry."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
