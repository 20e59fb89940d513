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

from grove.core.actions import audit_record
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


def _where(obj: Any) -> tuple[Trust | None, School | None]:
    """The trust and school a changed row belongs to, so its audit event is found there."""
    if isinstance(obj, Trust):
        return obj, None
    if isinstance(obj, School):
        return obj.trust, obj
    school = getattr(obj, "school", None)
    trust = getattr(obj, "trust", None) or (school.trust if school is not None else None)
    return trust, school


def _audit_admin(request: HttpRequest, obj: Any, verb: str) -> None:
    trust, school = _where(obj)
    user = request.user if isinstance(request.user, User) else None
    audit_record(
        actor=user,
        action=f"admin.{verb}",
        summary=f"{verb.title()} {obj._meta.verbose_name} {obj} in the administration site",
        trust=trust,
        school=school,
        target=obj,
    )


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Every change made in the administration site goes to Grove's audit log as well as the
    admin's own history, in the admin's transaction."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _audit_admin(request, obj, "added")
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _audit_admin(request, obj, "changed")
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            _audit_admin(request, obj, "deleted")
        return super().log_deletions(request, queryset)


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["school"]


# The stubs bind UserAdmin to AbstractUser; Grove's User has no username, and the fieldsets below
# name only the fields it has.
@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):  # type: ignore[type-var]
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
class TrustAdmin(AuditedAdmin):
    list_display = ["name", "mfa_required"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["name", "urn", "phase", "trust"]
    list_filter = ["trust", "phase"]
    search_fields = ["name", "urn"]


@admin.register(AcademicYear)
class AcademicYearAdmin(AuditedAdmin):
    list_display = ["__str__", "start_year"]


@admin.register(Term)
class TermAdmin(AuditedAdmin):
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
