"""App configuration for the core: trusts, schools, years, staff, roles, access and audit."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "grove.core"
    label = "core"
    verbose_name = "Trusts, schools and staff"
