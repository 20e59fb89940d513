"""Pages for pupils and teaching groups, and the school and trust overviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from grove.core.access import Can, Viewer, get_school_for, get_trust_for, viewer_for
from grove.core.actions import audit_record
from grove.core.forms import show_action_errors
from grove.core.models import AcademicYear, School
from grove.core.queries import current_academic_year
from grove.core.views import section
from grove.pupils import actions, queries
from grove.pupils.access import (
    Detail,
    get_group_for,
    get_pupil_for,
    get_pupil_for_write,
    taught_pupil_ids,
)
from grove.pupils.forms import (
    CharacteristicsChangeForm,
    GroupForm,
    GroupPupilForm,
    PupilFilterForm,
    PupilForm,
    UPNForm,
)
from grove.pupils.models import Characteristics, GroupPupil, Pupil, TeachingGroup

PAGE_SIZE = 50


def _year() -> AcademicYear:
    year = current_academic_year()
    if year is None:
        raise Http404("No academic year has been set up yet.")
    return year


@login_required
@section("trust")
def trust_overview(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id)
    year = _year()
    rows = queries.trust_summary(trust, year)
    return render(
        request,
        "pupils/trust_overview.html",
        {
            "trust": trust,
            "year": year,
            "rows": rows,
            "total": sum(r.pupils for r in rows),
            "can_manage": viewer.can_in_trust(Can.MANAGE_TRUST, trust),
        },
    )


@login_required
@section("school")
def school_overview(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id)
    if request.session.get("grove_school_id") != school.pk:
        request.session["grove_school_id"] = school.pk
    year = _year()
    names_visible = viewer.can(Can.VIEW_PUPILS, school)
    summary = queries.school_summary(school, year)
    my_groups = (
        list(queries.group_list(school, year).filter(teachers=viewer.user)) if names_visible else []
    )
    return render(
        request,
        "pupils/school_overview.html",
        {
            "school": school,
            "year": year,
            "summary": summary,
            "rows": queries.suppressed(summary, names_visible),
            "cards": summary.cards(names_visible),
            "names_visible": names_visible,
            "my_groups": my_groups,
            "caps": viewer.capabilities_in(school),
        },
    )


@login_required
@section("pupils")
def pupil_list(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    year = _year()
    form = PupilFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    sees_all = viewer.can(Can.VIEW_ALL_PUPIL_DETAIL, school)
    taught = set() if sees_all else taught_pupil_ids(viewer, school)
    characteristic = filters.get("characteristic", "")
    pupils = queries.pupil_list(
        school=school,
        year=year,
        text=filters.get("q", ""),
        year_group=filters.get("year_group", ""),
        characteristic=characteristic,
        # Filtering by a characteristic would reveal it: without full access, only among
        # the pupils the viewer teaches.
        only_ids=taught if characteristic and not sees_all else None,
    )
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "school": school,
        "year": year,
        "form": form,
        "page": page,
        "sees_all": sees_all,
        "taught": taught,
        "query": query.urlencode(),
        "can_add": viewer.can(Can.MANAGE_PUPILS, school),
    }
    template = "pupils/_pupil_results.html" if request.htmx else "pupils/pupil_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@section("pupils")
@require_http_methods(["GET", "POST"])
def pupil_new(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_PUPILS)
    year = _year()
    form = PupilForm(request.POST or None, initial={"starts": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pupil = actions.pupil_create(
                actor=viewer.user,
                school=school,
                academic_year=year,
                upn=data["upn"],
                legal_first_name=data["legal_first_name"],
                legal_last_name=data["legal_last_name"],
                preferred_first_name=data["preferred_first_name"],
                preferred_last_name=data["preferred_last_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                year_group=data["year_group"],
                starts=data["starts"],
                characteristics=actions.CharacteristicValues(
                    **{k: v for k, v in form.values().items() if k in _CHARACTERISTIC_FIELDS}
                ),
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, f"{pupil.name} is on the roll.")
            return redirect("pupil_profile", school_id=school.pk, pupil_id=pupil.pk)
    return render(request, "pupils/pupil_new.html", {"school": school, "form": form})


_CHARACTERISTIC_FIELDS = set(actions.CharacteristicValues.__dataclass_fields__)


@login_required
@section("pupils")
def pupil_profile(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    pupil, detail = get_pupil_for(viewer, school, pupil_id)
    enrolments = queries.pupil_enrolments(pupil, visible_school_ids={school.pk, *viewer.schools})
    placements = (
        GroupPupil.objects.filter(pupil=pupil, group__school=school)
        .select_related("group")
        .order_by("-starts")
    )
    history: list[Characteristics] = []
    if detail == Detail.FULL:
        history = list(pupil.characteristics.all())
        current = next((c for c in history if c.valid_to is None), None)
        if current is not None and current.sen_provision != "N":
            audit_record(
                actor=viewer.user,
                action="pupil.view_send",
                summary=f"Viewed SEN detail of {pupil.name}",
                school=school,
                target=pupil,
            )
    return render(
        request,
        "pupils/pupil_profile.html",
        {
            "school": school,
            "pupil": pupil,
            "full": detail == Detail.FULL,
            "current": next((c for c in history if c.valid_to is None), None),
            "history": history,
            "enrolments": enrolments,
            "placements": placements,
            "former_upns": pupil.former_upns.all() if detail == Detail.FULL else [],
            "can_change": viewer.can(Can.MANAGE_CHARACTERISTICS, school),
            "can_manage": viewer.can(Can.MANAGE_PUPILS, school),
        },
    )


@login_required
@section("pupils")
@require_http_methods(["GET", "POST"])
def pupil_characteristics(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    pupil = get_pupil_for_write(viewer, school, pupil_id, Can.MANAGE_CHARACTERISTICS)
    current = pupil.characteristics.filter(valid_to__isnull=True).first()
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    if current is not None:
        initial |= {name: getattr(current, name) for name in _CHARACTERISTIC_FIELDS}
    form = CharacteristicsChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.characteristics_record(
                actor=viewer.user,
                school=school,
                pupil=pupil,
                values=actions.CharacteristicValues(**form.values()),
                valid_from=form.cleaned_data["valid_from"],
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, f"Characteristics recorded for {pupil.name}.")
            return redirect("pupil_profile", school_id=school.pk, pupil_id=pupil.pk)
    return render(
        request,
        "pupils/pupil_characteristics.html",
        {"school": school, "pupil": pupil, "form": form},
    )


@login_required
@section("pupils")
@require_http_methods(["GET", "POST"])
def pupil_upn(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    pupil = get_pupil_for_write(viewer, school, pupil_id, Can.MANAGE_PUPILS)
    form = UPNForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.pupil_upn_replace(
                actor=viewer.user,
                school=school,
                pupil=pupil,
                upn=form.cleaned_data["upn"],
                on=timezone.localdate(),
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, f"{pupil.name}'s UPN is now {pupil.upn}.")
            return redirect("pupil_profile", school_id=school.pk, pupil_id=pupil.pk)
    return render(
        request, "pupils/pupil_upn.html", {"school": school, "pupil": pupil, "form": form}
    )


@login_required
@section("groups")
def group_list(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    year = _year()
    groups = queries.group_list(school, year)
    mine = request.GET.get("mine") == "1"
    if mine:
        groups = groups.filter(teachers=viewer.user)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pupils/group_list.html",
        {
            "school": school,
            "year": year,
            "page": page,
            "mine": mine,
            "can_add": viewer.can(Can.MANAGE_GROUPS, school),
        },
    )


@login_required
@section("groups")
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_GROUPS)
    year = _year()
    form = GroupForm(request.POST or None, staff=queries.group_teacher_candidates(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = actions.group_create(
                actor=viewer.user,
                school=school,
                academic_year=year,
                name=data["name"],
                kind=data["kind"],
                year_groups=data["year_groups"],
                subject=data["subject"],
                teachers=list(data["teachers"]),
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, f"Group {group.name} created.")
            return redirect("group_page", school_id=school.pk, group_id=group.pk)
    return render(request, "pupils/group_new.html", {"school": school, "form": form})


def _group_context(viewer: Viewer, school: School, group: TeachingGroup) -> dict[str, Any]:
    can_manage = viewer.can(Can.MANAGE_GROUPS, school)
    sees_all = viewer.can(Can.VIEW_ALL_PUPIL_DETAIL, school)
    return {
        "school": school,
        "group": group,
        "pupils": queries.group_pupils(group),
        "can_manage": can_manage,
        "candidates": queries.pupils_to_add(group) if can_manage else [],
        "teaches": sees_all or group.teachers.filter(pk=viewer.user.pk).exists(),
    }


@login_required
@section("groups")
def group_page(request: HttpRequest, school_id: int, group_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    group = get_group_for(viewer, school, group_id)
    return render(request, "pupils/group_page.html", _group_context(viewer, school, group))


@login_required
@require_POST
def group_pupils(request: HttpRequest, school_id: int, group_id: int) -> HttpResponse:
    """Add a pupil to a group, or take one out; answers htmx with the refreshed list."""
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_PUPILS)
    group = get_group_for(viewer, school, group_id, write=True)
    form = GroupPupilForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Choose a pupil."
    else:
        pupil = Pupil.objects.filter(
            pk=form.cleaned_data["pupil"], trust_id=school.trust_id, enrolments__school=school
        ).first()
        if pupil is None:
            error = "That pupil is not on this school's roll."
        else:
            today = timezone.localdate()
            try:
                if request.POST.get("remove"):
                    actions.group_pupil_remove(
                        actor=viewer.user, group=group, pupil=pupil, ends=today
                    )
                else:
                    actions.group_pupil_add(
                        actor=viewer.user, group=group, pupil=pupil, starts=today
                    )
            except ValidationError as problem:
                error = " ".join(problem.messages)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect("group_page", school_id=school.pk, group_id=group.pk)
    context = _group_context(viewer, school, group) | {"error": error}
    return render(request, "pupils/_group_pupils.html", context)
