"""App configuration for pupils: UPNs, enrolments, characteristics and teaching groups."""

from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "grove.pupils"
    label = "pupils"
    verbose_name = "Pupils and teaching groups"
