"""App configuration for interop: imports from the MIS (CSV, Excel, Common Transfer File)."""

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "grove.interop"
    label = "interop"
    verbose_name = "Imports"
