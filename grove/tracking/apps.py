"""App configuration for tracking: scales, collection points, results, rollups and estimates."""

from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "grove.tracking"
    label = "tracking"
    verbose_name = "Tracking"
