"""Tracking views: figures from trust to class, a pupil's record, completion and workload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from grove.core.access import Can, Viewer, get_school_for, get_trust_for, viewer_for
from grove.core.models import AcademicYear, School, Trust
from grove.core.queries import current_academic_year
from grove.core.views import section
from grove.pupils.codes import YEAR_GROUPS
from grove.tracking import estimating, queries
from grove.tracking.access import (
    can_record_for_pupil,
    get_group_results_for,
    get_pupil_results_for,
    result_pupil_ids,
    teaches,
)
from grove.tracking.export import xlsx_response
from grove.tracking.forms import FigureFilterForm
from grove.tracking.groups import GROUP_LABELS
from grove.tracking.models import Band, CollectionPoint, Subject

YEAR_LABELS = dict(YEAR_GROUPS)


def _year(request: HttpRequest) -> AcademicYear:
    """The academic year asked for (?year=2024), else the current one."""
    asked = request.GET.get("year", "")
    if asked.isdigit():
        year = AcademicYear.objects.filter(start_year=int(asked)).first()
        if year is not None:
            return year
    year = current_academic_year()
    if year is None:
        raise Http404("No academic year has been set up yet.")
    return year


@dataclass
class Choice:
    """What a figures page shows: the year, point, subject and pupil group, and the options."""

    year: AcademicYear
    years: list[AcademicYear]
    points: list[CollectionPoint]
    point: CollectionPoint | None
    subject: Subject | None
    group_key: str
    form: FigureFilterForm

    def query(self, **extra: Any) -> str:
        params = {"year": self.year.start_year, "pupils": self.group_key} | extra
        if self.point:
            params["point"] = self.point.pk
        if self.subject:
            params["subject"] = self.subject.pk
        return "?" + urlencode(params)


def _choose(request: HttpRequest, trust: Trust, school: School | None) -> Choice:
    year = _year(request)
    points = queries.points_for(trust, year, school)
    subjects_all: dict[int, Subject] = {}
    for p in points:
        for s in p.subjects.all():
            subjects_all[s.pk] = s
    form = FigureFilterForm(
        request.GET or None,
        points=points,
        subjects=sorted(subjects_all.values(), key=lambda s: (s.position, s.name)),
    )
    point = subject = None
    group_key = "all"
    if form.is_bound and form.is_valid():
        point = next((p for p in points if p.pk == form.cleaned_data["point"]), None)
        subject_id = form.cleaned_data["subject"]
        group_key = form.cleaned_data["pupils"] or "all"
    else:
        subject_id = None
    point = point or queries.default_point(points, timezone.localdate())
    if point is not None:
        offered = list(point.subjects.all())
        subject = next((s for s in offered if s.pk == subject_id), offered[0] if offered else None)
    years = list(
        AcademicYear.objects.filter(start_year__in=queries.years_with_points(trust)).order_by(
            "-start_year"
        )
    )
    if year not in years:
        years.insert(0, year)
    return Choice(year, years, points, point, subject, group_key, form)


# Filters on characteristics that only some staff may see pupil by pupil (see pupils.access).
SENSITIVE_GROUPS = frozenset({"pp", "not_pp", "sen_k", "sen_e", "sen_n", "eal", "not_eal"})


def _exact(viewer: Viewer, school: School, group_key: str) -> bool:
    """Whether the viewer sees exact counts: they see pupils' names, and, when the figures are
    narrowed by a characteristic, they may see every pupil's characteristics. Otherwise small
    numbers are hidden, so a filter reveals nothing about a pupil they may not look up."""
    if not viewer.can(Can.VIEW_PUPILS, school):
        return False
    return group_key not in SENSITIVE_GROUPS or viewer.can(Can.VIEW_ALL_PUPIL_DETAIL, school)


def _figures_context(choice: Choice, rows: list[queries.Figure], title: str) -> dict[str, Any]:
    bands = queries.bands_of(choice.point.scale_id) if choice.point else []
    return {
        "choice": choice,
        "rows": rows,
        "total": queries.total_of(rows, "All") if rows else None,
        "bands": bands,
        "expected": next((b for b in bands if b.is_expected), None),
        "title": title,
        "group_label": GROUP_LABELS[choice.group_key],
    }


def _export(title: str, context: dict[str, Any]) -> HttpResponse:
    bands: list[Band] = context["bands"]
    choice: Choice = context["choice"]
    header = ["", "Pupils", "At or above expected", "Change", *[b.code for b in bands]]
    rows = [
        [r.label, r.n_display, r.share_display, r.change_display, *[s for _, s in r.spread]]
        for r in context["rows"]
    ]
    notes = [
        f"{choice.point} · {choice.subject} · {context['group_label']}",
        "Counts are rounded to 5 and small groups hidden for viewers who see no names.",
    ]
    return xlsx_response(title, header, rows, notes)


def _respond(
    request: HttpRequest, template: str, context: dict[str, Any], title: str
) -> HttpResponse:
    if request.GET.get("export") == "xlsx":
        return _export(title, context)
    return render(request, template, context)


# --- trust ---------------------------------------------------------------------------------------
@login_required
@section("trust_tracking")
def tracking_trust(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id)
    choice = _choose(request, trust, None)
    schools = sorted(
        (s for s in viewer.schools.values() if s.trust_id == trust.pk), key=lambda s: s.name
    )
    names_visible = all(_exact(viewer, s, choice.group_key) for s in schools)
    rows = (
        queries.trust_figures(
            trust, choice.point, choice.subject, choice.group_key, schools, names_visible
        )
        if choice.point and choice.subject
        else []
    )
    for row in rows:
        row.url = reverse("tracking_school", args=[int(row.key)]) + choice.query()
    title = f"{trust.name}: attainment"
    context = _figures_context(choice, rows, title) | {
        "trust": trust,
        "can_workload": viewer.can_in_trust(Can.VIEW_WORKLOAD, trust)
        or viewer.can_in_trust(Can.MANAGE_TRUST, trust),
    }
    return _respond(request, "tracking/trust.html", context, title)


# --- school --------------------------------------------------------------------------------------
@login_required
@section("tracking")
def tracking_school(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    choice = _choose(request, school.trust, school)
    names_visible = _exact(viewer, school, choice.group_key)
    rows = (
        queries.school_figures(
            school, choice.point, choice.subject, choice.group_key, names_visible
        )
        if choice.point and choice.subject
        else []
    )
    for row in rows:
        row.url = reverse("tracking_year", args=[school.pk, row.key]) + choice.query()
    title = f"{school.name}: attainment"
    context = _figures_context(choice, rows, title) | {
        "school": school,
        "trust_link": viewer.can_in_trust(Can.VIEW_TRUST, school.trust_id),
        "can_record": viewer.can(Can.RECORD_OWN_RESULTS, school),
        "can_workload": viewer.can(Can.VIEW_WORKLOAD, school),
    }
    return _respond(request, "tracking/school.html", context, title)


@login_required
@section("tracking")
def tracking_year(request: HttpRequest, school_id: int, year_group: str) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    if year_group not in YEAR_LABELS:
        raise Http404("No such year group.")
    choice = _choose(request, school.trust, school)
    names_visible = _exact(viewer, school, choice.group_key)
    rows = (
        queries.year_group_figures(
            school, choice.point, choice.subject, year_group, choice.group_key, names_visible
        )
        if choice.point and choice.subject
        else []
    )
    visible = result_pupil_ids(viewer, school)
    all_groups = visible is None
    own = (
        set()
        if all_groups
        else {
            str(g)
            for g in school.teaching_groups.filter(teachers=viewer.user).values_list(
                "pk", flat=True
            )
        }
    )
    for row in rows:
        if all_groups or row.key in own:
            row.url = reverse("tracking_group", args=[school.pk, int(row.key)]) + choice.query()
    title = f"{school.name}: {YEAR_LABELS[year_group]}"
    context = _figures_context(choice, rows, title) | {
        "school": school,
        "year_group": year_group,
        "year_label": YEAR_LABELS[year_group],
    }
    return _respond(request, "tracking/year.html", context, title)


# --- class ---------------------------------------------------------------------------------------
@login_required
@section("tracking")
def tracking_group(request: HttpRequest, school_id: int, group_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    group = get_group_results_for(viewer, school, group_id)
    choice = _choose(request, school.trust, school)
    rows = []
    scale = None
    if choice.point and choice.subject:
        scale = queries.recording_scale(choice.point, school)
        rows = queries.group_sheet(group, choice.point, choice.subject, scale)
    title = f"{group.name}: {choice.subject or ''} at {choice.point or ''}"
    can_record = viewer.can(Can.RECORD_ALL_RESULTS, school) or (
        viewer.can(Can.RECORD_OWN_RESULTS, school) and teaches(viewer, group)
    )
    context = {
        "school": school,
        "group": group,
        "choice": choice,
        "rows": rows,
        "scale": scale,
        "can_record": can_record and choice.point is not None,
        "title": title,
        "counts": queries.track_counts(rows),
    }
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            title,
            ["Pupil", "Year", "Judgement", "Previous point", "Target", "Against target"],
            [
                [
                    r.pupil.name,
                    r.year_group,
                    r.current,
                    r.previous,
                    r.target.code if r.target else "",
                    r.track,
                ]
                for r in rows
            ],
        )
    return render(request, "tracking/group.html", context)


# --- pupil ---------------------------------------------------------------------------------------
@login_required
@section("tracking")
def tracking_pupil(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    pupil = get_pupil_results_for(viewer, school, pupil_id)
    year = _year(request)
    record = queries.pupil_record(pupil, school, year)
    estimates = estimating.estimates_for(pupil, school, year)
    queries.attach_estimates(record, estimates)
    can_target = can_record_for_pupil(viewer, school, pupil.pk)
    context = {
        "school": school,
        "pupil": pupil,
        "year": year,
        "record": record,
        "can_target": can_target,
        "has_estimates": bool(estimates),
        "target_subjects": queries.target_choices(school, year) if can_target else [],
    }
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{pupil.name}: {year}",
            [
                "Subject",
                *[p.name for p in record.points],
                "Target",
                "Against target",
                "Estimate (10th to 90th percentile)",
            ],
            [
                [
                    s.subject.name,
                    *s.cells,
                    s.target.code if s.target else "",
                    s.track,
                    f"{s.estimate.low} to {s.estimate.high}" if s.estimate else "",
                ]
                for s in record.subjects
            ],
            [
                "Estimates are ranges, never targets: what pupils with similar starting points "
                "went on to."
            ],
        )
    return render(request, "tracking/pupil.html", context)


# --- workload and completion ---------------------------------------------------------------------
@login_required
@section("tracking")
def tracking_workload(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_WORKLOAD)
    choice = _choose(request, school.trust, school)
    points = queries.workload_by_point(school, school.trust, choice.year)
    context = {
        "school": school,
        "choice": choice,
        "points": points,
        "teachers": queries.workload_by_teacher(school, choice.year),
        "completion": queries.completion_by_group(school, choice.point) if choice.point else [],
    }
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{school.name}: workload {choice.year}",
            ["Collection point", "Pupils", "Estimated hours", "Measured hours", "Judgements"],
            [[r.label, r.pupils, r.estimated_hours, r.measured_hours, r.recorded] for r in points],
        )
    return render(request, "tracking/workload.html", context)


@login_required
@section("trust_tracking")
def tracking_trust_workload(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id)
    if not viewer.can_in_trust(Can.VIEW_WORKLOAD, trust):
        raise PermissionDenied("Your role does not show workload.")
    choice = _choose(request, trust, None)
    schools = sorted(
        (s for s in viewer.schools.values() if s.trust_id == trust.pk), key=lambda s: s.name
    )
    points = queries.workload_by_point(None, trust, choice.year)
    context = {
        "trust": trust,
        "choice": choice,
        "points": points,
        "completion": queries.completion_by_school(trust, choice.point, schools)
        if choice.point
        else [],
    }
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{trust.name}: workload {choice.year}",
            ["Collection point", "Pupils", "Estimated hours", "Measured hours", "Judgements"],
            [[r.label, r.pupils, r.estimated_hours, r.measured_hours, r.recorded] for r in points],
        )
    return render(request, "tracking/trust_workload.html", context)


urlpatterns: list[URLPattern] = [
    path("trusts/<int:trust_id>/tracking/", tracking_trust, name="tracking_trust"),
    path(
        "trusts/<int:trust_id>/tracking/workload/",
        tracking_trust_workload,
        name="tracking_trust_workload",
    ),
    path("schools/<int:school_id>/tracking/", tracking_school, name="tracking_school"),
    path(
        "schools/<int:school_id>/tracking/years/<str:year_group>/",
        tracking_year,
        name="tracking_year",
    ),
    path(
        "schools/<int:school_id>/tracking/groups/<int:group_id>/",
        tracking_group,
        name="tracking_group",
    ),
    path(
        "schools/<int:school_id>/tracking/pupils/<int:pupil_id>/",
        tracking_pupil,
        name="tracking_pupil",
    ),
    path("schools/<int:school_id>/tracking/workload/", tracking_workload, name="tracking_workload"),
]
