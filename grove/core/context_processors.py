"""The shell's context: the viewer's schools, the current school and the navigation for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from grove.core.access import Can, viewer_for
from grove.core.models import School


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str


def _nav_for(request: HttpRequest, school: School | None) -> list[NavItem]:
    viewer = viewer_for(request)
    items: list[NavItem] = []
    for trust in viewer.trusts_where(Can.VIEW_TRUST):
        items.append(NavItem("Trust", reverse("trust_overview", args=[trust.pk]), "trust"))
        items.append(
            NavItem(
                "Trust attainment", reverse("tracking_trust", args=[trust.pk]), "trust_tracking"
            )
        )
    if school is None:
        return items
    sid = school.pk
    caps = viewer.capabilities_in(school)
    items.append(NavItem("School", reverse("school_overview", args=[sid]), "school"))
    if Can.VIEW_ATTAINMENT in caps:
        items.append(NavItem("Attainment", reverse("tracking_school", args=[sid]), "tracking"))
    if Can.RECORD_OWN_RESULTS in caps:
        items.append(NavItem("Record", reverse("tracking_record", args=[sid]), "record"))
    if Can.VIEW_ATTAINMENT in caps:
        items.append(
            NavItem("Calendar", reverse("tracking_school_calendar", args=[sid]), "calendar")
        )
    if Can.VIEW_PUPILS in caps:
        items.append(NavItem("Pupils", reverse("pupil_list", args=[sid]), "pupils"))
        items.append(NavItem("Groups", reverse("group_list", args=[sid]), "groups"))
    if Can.MANAGE_PUPILS in caps:
        items.append(NavItem("Imports", reverse("import_list", args=[sid]), "imports"))
    if Can.VIEW_STAFF in caps:
        items.append(NavItem("Staff", reverse("staff_list", args=[sid]), "staff"))
    if Can.VIEW_AUDIT in caps:
        items.append(NavItem("Audit log", reverse("audit_log", args=[sid]), "audit"))
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    viewer = viewer_for(request)
    match = request.resolver_match
    school: School | None = None
    if match is not None and "school_id" in match.kwargs:
        school = viewer.schools.get(int(match.kwargs["school_id"]))
    if school is None and viewer.schools:
        remembered = request.session.get("grove_school_id")
        school = viewer.schools.get(remembered) if isinstance(remembered, int) else None
        school = school or viewer.all_schools[0]
    section = ""
    if match is not None:
        section = str(getattr(match.func, "grove_section", ""))
    return {
        "viewer": viewer,
        "current_school": school,
        "current_roles": viewer.role_labels_in(school) if school else [],
        "nav_items": _nav_for(request, school),
        "nav_section": section,
        "switch_schools": viewer.all_schools if len(viewer.schools) > 1 else [],
    }
