"""The Django admin, for Grove's operators only: users, memberships, trusts and schools.

The admin reads every trust's tables, so it cannot keep one trust from another. It is therefore
for the people who run the Grove service (superusers made with `createsuperuser`), never for a
school's or trust's administrator, who works through Grove's own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from grove.core.models import AcademicYear, AuditEvent, Membership, School, Term, Trust, User


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_superuser)


def _login_through_allauth(
    login: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """The admin's own sign-in form would skip two-step sign-in and login throttling, so people
    sign in through allauth's page; the admin's login view only sends an administrator on."""

    @wraps(login)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not _is_administrator(request):
            raise PermissionDenied("The administration pages are for the people who run Grove.")
        return login(request, *args, **kwargs)

    return view


# Being marked as staff is not enough: the admin is for the service's operators.
admin.site.has_permission = _is_administrator  # type: ignore[method-assign]
admin.site.login = _login_through_allauth(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Grove administration"
admin.site.site_title = "Grove administration"


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["school"]


# The stubs bind UserAdmin to AbstractUser; Grove's User has no username, and the fieldsets below
# name only the fields it has.
@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):  # type: ignore[type-var]
    ordering = ["family_name", "given_name"]
    list_display = ["email", "given_name", "family_name", "is_active", "is_staff"]
    search_fields = ["email", "given_name", "family_name"]
    list_filter = ["is_active", "is_staff"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("given_name", "family_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "given_name", "family_name", "password1", "password2")}),
    )
    filter_horizontal = ()


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin[Trust]):
    list_display = ["name", "mfa_required"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = ["name", "urn", "phase", "trust"]
    list_filter = ["trust", "phase"]
    search_fields = ["name", "urn"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin[AcademicYear]):
    list_display = ["__str__", "start_year"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin[Term]):
    list_display = ["__str__", "trust", "starts", "ends"]
    list_filter = ["trust", "academic_year"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor_label", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
