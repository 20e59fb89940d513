"""Tracking views: recording judgements for a group (keyboard first, autosaved, timed) and
setting pupils' targets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from grove.core.access import Can, get_school_for, viewer_for
from grove.core.models import School
from grove.core.queries import current_academic_year
from grove.core.views import section
from grove.pupils.models import TeachingGroup
from grove.tracking import actions, queries
from grove.tracking.access import (
    can_record_for_pupil,
    get_group_for_entry,
    get_point_for,
    get_pupil_results_for,
    get_subject_for,
)
from grove.tracking.forms import TargetForm
from grove.tracking.models import Band, CollectionPoint, Subject

MAX_ELAPSED = 120  # seconds of one interval counted as work; longer gaps are time away


@login_required
@section("record")
def tracking_record(request: HttpRequest, school_id: int) -> HttpResponse:
    """The collection points open now, and for each the viewer's groups with how far along."""
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    if not viewer.can(Can.RECORD_OWN_RESULTS, school):
        raise PermissionDenied("Your role does not record judgements.")
    year = current_academic_year()
    today = timezone.localdate()
    points = queries.points_for(school.trust, year, school) if year else []
    all_groups = viewer.can(Can.RECORD_ALL_RESULTS, school)
    groups = (
        list(queries.entry_groups(viewer.user, school, year, all_groups=all_groups)) if year else []
    )
    open_points = queries.open_collections(school, points, groups, today)
    upcoming = [p for p in points if p.opens > today]
    return render(
        request,
        "tracking/record.html",
        {"school": school, "open_points": open_points, "upcoming": upcoming, "all": all_groups},
    )


def _sheet_context(
    school: School,
    group: TeachingGroup,
    point: CollectionPoint,
    subject: Subject,
    errors: dict[str, str],
    typed: dict[int, str] | None = None,
) -> dict[str, Any]:
    scale = queries.recording_scale(point, school)
    bands = queries.bands_of(scale.pk)
    today = timezone.localdate()
    rows = queries.group_sheet(group, point, subject, scale)
    return {
        "school": school,
        "group": group,
        "point": point,
        "subject": subject,
        "scale": scale,
        "bands": bands,
        "rows": rows,
        "errors": errors,
        "is_open": point.opens <= today <= point.closes,
        "entries": [
            {
                "row": r,
                "value": (typed or {}).get(r.pupil.pk, r.current),
                "error": errors.get(f"pupil-{r.pupil.pk}", ""),
            }
            for r in rows
            if r.year_group in point.year_groups
        ],
        "recorded": sum(1 for r in rows if r.current),
        "codes": " ".join(b.code for b in bands),
    }


@login_required
@section("record")
@require_http_methods(["GET", "POST"])
def tracking_entry(
    request: HttpRequest, school_id: int, group_id: int, point_id: int, subject_id: int
) -> HttpResponse:
    """The entry sheet. A full POST saves every field; the page's script posts one field at
    a time with ``autosave=1`` and gets JSON back. Either way the time spent is kept."""
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    group = get_group_for_entry(viewer, school, group_id)
    point = get_point_for(viewer, school, point_id)
    subject = get_subject_for(school.trust_id, subject_id)
    if not point.subjects.filter(pk=subject.pk).exists():
        raise Http404(f"{point.name} does not collect {subject.name}.")
    if group.academic_year_id != point.academic_year_id:
        raise Http404("This group is from another year.")
    autosave = request.POST.get("autosave") == "1"
    if request.method == "GET":
        return render(
            request, "tracking/entry.html", _sheet_context(school, group, point, subject, {})
        )
    judgements: dict[int, str] = {}
    for key in request.POST:
        if key.startswith("pupil-") and key[6:].isdigit():
            judgements[int(key[6:])] = request.POST.get(key, "")
    elapsed = _seconds(request.POST.get("elapsed", ""))
    errors: dict[str, str] = {}
    saved = None
    try:
        if judgements:
            saved = actions.results_record(
                actor=viewer.user,
                point=point,
                subject=subject,
                group=group,
                judgements=judgements,
            )
    except ValidationError as problem:
        errors = {k: " ".join(v) for k, v in problem.message_dict.items()}
    if elapsed or saved:
        actions.entry_time_add(
            actor=viewer.user,
            point=point,
            subject=subject,
            group=group,
            seconds=elapsed,
            saves=1 if saved else 0,
        )
    if autosave:
        return JsonResponse(
            {
                "saved": bool(saved) and not errors,
                "errors": errors,
                "recorded": queries.recorded_in_group(point, subject, group),
            },
        )
    if errors:
        context = _sheet_context(school, group, point, subject, errors, judgements)
        return render(request, "tracking/entry.html", context, status=200)
    if saved:
        changed = saved.created + saved.changed + saved.cleared
        messages.success(
            request, f"Saved. {changed} judgement{'s' if changed != 1 else ''} changed."
        )
    return redirect("tracking_entry", school.pk, group.pk, point.pk, subject.pk)


def _seconds(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        return 0
    return int(min(max(value, 0), MAX_ELAPSED))


@login_required
@require_POST
def tracking_target(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    pupil = get_pupil_results_for(viewer, school, pupil_id)
    if not can_record_for_pupil(viewer, school, pupil.pk):
        raise PermissionDenied("Only the pupil's teachers and school leaders set targets.")
    year = current_academic_year()
    if year is None:
        raise Http404("No academic year has been set up yet.")
    subjects, bands = queries.target_choices(school, year)
    form = TargetForm(request.POST, subjects=subjects, bands=bands)
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(str(p) for p in problems)}")
        return redirect("tracking_pupil", school.pk, pupil.pk)
    subject = next(s for s in subjects if s.pk == form.cleaned_data["subject"])
    band_id = form.cleaned_data["band"]
    band = Band.objects.select_related("scale").get(pk=band_id) if band_id else None
    try:
        actions.target_set(
            actor=viewer.user,
            school=school,
            pupil=pupil,
            subject=subject,
            academic_year=year,
            band=band,
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request,
            f"{subject.name} target set to {band.code}." if band else "Target removed.",
        )
    return redirect("tracking_pupil", school.pk, pupil.pk)


urlpatterns: list[URLPattern] = [
    path("schools/<int:school_id>/record/", tracking_record, name="tracking_record"),
    path(
        "schools/<int:school_id>/record/<int:group_id>/<int:point_id>/<int:subject_id>/",
        tracking_entry,
        name="tracking_entry",
    ),
    path(
        "schools/<int:school_id>/tracking/pupils/<int:pupil_id>/target/",
        tracking_target,
        name="tracking_target",
    ),
]
