"""Reads for the core: the current academic year, staff lists, the audit log search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.db.models import Q, QuerySet
from django.utils import timezone

from grove.core.models import AcademicYear, AuditEvent, Membership, Role, School, User


def has_totp(user_id: int | None) -> bool:
    """Whether the person has set up an authenticator app (allauth's TOTP)."""
    found: bool = Authenticator.objects.filter(
        user_id=user_id, type=Authenticator.Type.TOTP
    ).exists()
    return found


def current_academic_year(today: dt.date | None = None) -> AcademicYear | None:
    """The academic year containing today, or the latest one Grove knows."""
    today = today or timezone.localdate()
    start_year = AcademicYear.start_year_for(today)
    year = AcademicYear.objects.filter(start_year__lte=start_year).order_by("-start_year").first()
    return year or AcademicYear.objects.order_by("start_year").first()


@dataclass(frozen=True)
class StaffRow:
    user: User
    roles: list[str]
    job_title: str
    other_schools: list[str]
    # (membership id, role label) for the roles held in this school, which its leaders manage.
    school_roles: list[tuple[int, str]]


def staff_for_school(school: School) -> list[StaffRow]:
    """Everyone holding a role in the school (trust-wide staff listed apart), in two queries."""
    memberships = (
        Membership.objects.filter(Q(school=school) | Q(school__isnull=True, trust=school.trust))
        .exclude(role=Role.GOVERNOR, school__isnull=True)
        .select_related("user")
        .order_by("user__family_name", "user__given_name")
    )
    rows: dict[int, tuple[User, set[str], str]] = {}
    here: dict[int, list[tuple[int, str]]] = {}
    for membership in memberships:
        user, roles, title = rows.get(membership.user_id, (membership.user, set(), ""))
        label = Role(membership.role).label
        if membership.school_id is None:
            label += " (trust)"
        else:
            here.setdefault(membership.user_id, []).append((membership.pk, label))
        roles.add(label)
        rows[membership.user_id] = (user, roles, title or membership.job_title)
    elsewhere: dict[int, set[str]] = {}
    for user_id, name in (
        Membership.objects.filter(user_id__in=rows, school__isnull=False)
        .exclude(school=school)
        .values_list("user_id", "school__name")
    ):
        elsewhere.setdefault(user_id, set()).add(name)
    return [
        StaffRow(
            user,
            sorted(roles),
            title,
            sorted(elsewhere.get(user_id, set())),
            sorted(here.get(user_id, []), key=lambda held: held[1]),
        )
        for user_id, (user, roles, title) in rows.items()
    ]


def audit_search(
    *,
    school: School,
    text: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(school=school)
    if text:
        events = events.filter(Q(summary__icontains=text) | Q(actor_label__icontains=text))
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")


def audit_actions(school: School) -> list[str]:
    return list(
        AuditEvent.objects.filter(school=school)
        .values_list("action", flat=True)
        .distinct()
        .order_by("action")
    )
