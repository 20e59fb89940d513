"""Tracking views: setup. The trust's common scales, a school's own scales and its choice of
scale, and the collection calendar (trust-wide and per school) with its cap."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from grove.core.access import Can, Viewer, get_school_for, get_trust_for, viewer_for
from grove.core.forms import show_action_errors
from grove.core.models import AcademicYear, School, Trust
from grove.core.queries import current_academic_year
from grove.core.views import section
from grove.tracking import actions
from grove.tracking import queries_setup as queries
from grove.tracking.forms_setup import (
    CollectionPointForm,
    OntoForm,
    ScaleChoiceForm,
    ScaleForm,
    band_formset,
)
from grove.tracking.models import Band, Scale


def _trust_of(viewer: Viewer, school: School) -> Trust:
    """The school's trust, already loaded with the viewer's roles."""
    return viewer.trusts.get(school.trust_id) or school.trust


def _year(request: HttpRequest) -> AcademicYear:
    """The year asked for (?year=2025), else the current one."""
    wanted = request.GET.get("year", "")
    year = None
    if wanted.isdigit():
        year = AcademicYear.objects.filter(start_year=int(wanted)).first()
    year = year or current_academic_year()
    if year is None:
        raise Http404("No academic year has been set up yet.")
    return year


# --- scales -----------------------------------------------------------------------------------
@login_required
@section("trust_tracking")
@require_http_methods(["GET", "POST"])
def trust_scales(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id, Can.VIEW_TRUST)
    if request.method == "POST":
        # The one thing posted here: install (or complete) the built-in scales.
        trust = get_trust_for(viewer, trust_id, Can.MANAGE_TRUST)
        actions.tracking_setup(actor=viewer.user, trust=trust)
        messages.success(request, "The built-in scales and subjects are ready.")
        return redirect("tracking_trust_scales", trust_id=trust.pk)
    return render(
        request,
        "tracking/setup/trust_scales.html",
        {
            "trust": trust,
            "rows": queries.trust_scales(trust),
            "can_manage": viewer.can_in_trust(Can.MANAGE_TRUST, trust),
        },
    )


def _scale_editor(
    request: HttpRequest,
    viewer: Viewer,
    *,
    trust: Trust,
    school: School | None,
    onto: Scale | None,
    template_context: dict[str, Any],
) -> HttpResponse | Scale:
    """The scale editor for a trust's common scale or a school's own: the new scale, or the
    page to show (again)."""
    common_bands: list[Band] = list(onto.bands.order_by("value")) if onto else []
    data = request.POST if request.method == "POST" else None
    form = ScaleForm(data)
    numeric = data is not None and data.get("numeric") in ("on", "true", "1")
    formset = band_formset(data, common_bands=common_bands, numeric=numeric)
    if data is not None and "add_rows" not in data:
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            values = form.cleaned_data
            try:
                return actions.scale_create(
                    actor=viewer.user,
                    trust=trust,
                    school=school,
                    name=values["name"],
                    description=values["description"],
                    numeric=values["numeric"],
                    minimum=values["minimum"],
                    maximum=values["maximum"],
                    bands=formset.band_inputs(),
                    maps_onto=onto,
                )
            except ValidationError as error:
                show_action_errors(form, error)
    return render(
        request,
        "tracking/setup/scale_new.html",
        {"form": form, "formset": formset, "onto": onto, "school": school, "trust": trust}
        | template_context,
    )


@login_required
@section("trust_tracking")
@require_http_methods(["GET", "POST"])
def trust_scale_new(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id, Can.MANAGE_TRUST)
    result = _scale_editor(
        request,
        viewer,
        trust=trust,
        school=None,
        onto=None,
        template_context={"back": ("tracking_trust_scales", trust.pk)},
    )
    if isinstance(result, Scale):
        messages.success(request, f"The scale “{result.name}” is ready for every school.")
        return redirect("tracking_trust_scales", trust_id=trust.pk)
    return result


@login_required
@section("tracking")
@require_http_methods(["GET", "POST"])
def school_scales(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    choice_error: tuple[int, str] | None = None
    if request.method == "POST":
        school = get_school_for(viewer, school_id, Can.MANAGE_TRACKING)
        form = ScaleChoiceForm(request.POST)
        if form.is_valid():
            common = Scale.objects.filter(
                pk=form.cleaned_data["common_scale"], trust_id=school.trust_id, school=None
            ).first()
            own_id = form.cleaned_data["own_scale"]
            own = Scale.objects.filter(pk=own_id, school=school).first() if own_id else None
            try:
                if common is None:
                    raise ValidationError({"common_scale": "Choose one of the trust's scales."})
                if own_id and own is None:
                    raise ValidationError({"own_scale": "Choose one of the school's scales."})
                actions.school_scale_choose(
                    actor=viewer.user, school=school, common_scale=common, own_scale=own
                )
            except ValidationError as error:
                choice_error = (form.cleaned_data["common_scale"], " ".join(error.messages))
            else:
                where = f"on {school.name}'s scale “{own.name}”" if own else "on the trust's scale"
                messages.success(request, f"{common.name} is now recorded {where}.")
                return redirect("tracking_school_scales", school_id=school.pk)
        else:
            posted = request.POST.get("common_scale", "")
            choice_error = (int(posted) if posted.isdigit() else 0, "Choose a scale to record on.")
    return render(
        request,
        "tracking/setup/school_scales.html",
        {
            "school": school,
            "scales": queries.school_scales(school),
            "can_manage": viewer.can(Can.MANAGE_TRACKING, school),
            "choice_error": choice_error,
        },
        status=200,
    )


@login_required
@section("tracking")
@require_http_methods(["GET", "POST"])
def school_scale_new(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_TRACKING)
    commons = list(Scale.objects.filter(trust_id=school.trust_id, school__isnull=True))
    onto_form = OntoForm(request.GET if "onto" in request.GET else None, scales=commons)
    onto = None
    if onto_form.is_bound and onto_form.is_valid():
        onto = next(s for s in commons if s.pk == onto_form.cleaned_data["onto"])
    if onto is None:
        # First choose the common scale: its bands are what the new bands map onto.
        return render(
            request,
            "tracking/setup/school_scale_onto.html",
            {"school": school, "onto_form": onto_form, "commons": commons},
        )
    result = _scale_editor(
        request,
        viewer,
        trust=_trust_of(viewer, school),
        school=school,
        onto=onto,
        template_context={"back": ("tracking_school_scales", school.pk)},
    )
    if isinstance(result, Scale):
        messages.success(
            request,
            f"The scale “{result.name}” is ready. Choose it below to record {onto.name} on it.",
        )
        return redirect("tracking_school_scales", school_id=school.pk)
    return result


# --- the collection calendar ------------------------------------------------------------------
def _calendar_context(request: HttpRequest, trust: Trust, school: School | None) -> dict[str, Any]:
    year = _year(request)
    return {
        "trust": trust,
        "school": school,
        "calendar": queries.calendar(trust, year, school),
        "years": queries.years_for_switcher(),
    }


@login_required
@section("trust_tracking")
def trust_calendar(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id, Can.VIEW_TRUST)
    context = _calendar_context(request, trust, None)
    context["can_add"] = viewer.can_in_trust(Can.MANAGE_TRUST, trust)
    return render(request, "tracking/setup/calendar.html", context)


@login_required
@section("calendar")
def school_calendar(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_ATTAINMENT)
    context = _calendar_context(request, _trust_of(viewer, school), school)
    context["can_add"] = viewer.can(Can.MANAGE_TRACKING, school)
    return render(request, "tracking/setup/calendar.html", context)


def _point_new(
    request: HttpRequest, viewer: Viewer, trust: Trust, school: School | None
) -> HttpResponse:
    year = _year(request)
    counted = queries.cap_count(trust, year, school)
    over_cap = counted >= trust.collection_cap
    form = CollectionPointForm(request.POST or None, trust_id=trust.pk, over_cap=over_cap)
    back = (
        ("tracking_school_calendar", school.pk) if school else ("tracking_trust_calendar", trust.pk)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = actions.collection_point_create(
                actor=viewer.user,
                trust=trust,
                school=school,
                academic_year=year,
                name=data["name"],
                opens=data["opens"],
                closes=data["closes"],
                year_groups=data["year_groups"],
                subjects=list(data["subjects"]),
                scale=data["scale"],
                purpose=data["purpose"],
                used_by=data["used_by"],
                minutes_per_pupil=data["minutes_per_pupil"],
                over_cap_reason=data.get("over_cap_reason", ""),
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, f"“{point.name}” is on the {year} calendar.")
            response = redirect(*back)
            response["Location"] += f"?year={year.start_year}"
            return response
    return render(
        request,
        "tracking/setup/point_new.html",
        {
            "trust": trust,
            "school": school,
            "year": year,
            "form": form,
            "counted": counted,
            "over_cap": over_cap,
            "back": back,
        },
    )


@login_required
@section("trust_tracking")
@require_http_methods(["GET", "POST"])
def trust_point_new(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id, Can.MANAGE_TRUST)
    return _point_new(request, viewer, trust, None)


@login_required
@section("calendar")
@require_http_methods(["GET", "POST"])
def school_point_new(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_TRACKING)
    return _point_new(request, viewer, _trust_of(viewer, school), school)


urlpatterns: list[URLPattern] = [
    path("trusts/<int:trust_id>/scales/", trust_scales, name="tracking_trust_scales"),
    path("trusts/<int:trust_id>/scales/new/", trust_scale_new, name="tracking_trust_scale_new"),
    path("trusts/<int:trust_id>/calendar/", trust_calendar, name="tracking_trust_calendar"),
    path("trusts/<int:trust_id>/calendar/new/", trust_point_new, name="tracking_trust_point_new"),
    path("schools/<int:school_id>/scales/", school_scales, name="tracking_school_scales"),
    path("schools/<int:school_id>/scales/new/", school_scale_new, name="tracking_school_scale_new"),
    path("schools/<int:school_id>/calendar/", school_calendar, name="tracking_school_calendar"),
    path(
        "schools/<int:school_id>/calendar/new/",
        school_point_new,
        name="tracking_school_point_new",
    ),
]
