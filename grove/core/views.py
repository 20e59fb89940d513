"""The core's pages: home, staff list, audit log, trust settings, the school switcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from grove.core import actions, queries
from grove.core.access import Can, get_school_for, get_trust_for, viewer_for
from grove.core.forms import (
    AuditSearchForm,
    SchoolSwitchForm,
    StaffForm,
    TrustSettingsForm,
    show_action_errors,
)
from grove.core.models import AuditEvent, Membership, Role
from grove.core.notify import send_welcome

F = TypeVar("F", bound=Callable[..., Any])


def section(name: str) -> Callable[[F], F]:
    """Mark which navigation item a view belongs to, so the shell can highlight it."""

    def mark(view: F) -> F:
        view.grove_section = name  # type: ignore[attr-defined]
        return view

    return mark


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request)
    remembered = request.session.get("grove_school_id")
    if isinstance(remembered, int) and remembered in viewer.schools:
        return redirect("school_overview", school_id=remembered)
    # Trust staff start from the trust's picture; everyone else from their school.
    trusts = viewer.trusts_where(Can.VIEW_TRUST)
    if trusts:
        return redirect("trust_overview", trust_id=trusts[0].pk)
    if viewer.schools:
        return redirect("school_overview", school_id=viewer.all_schools[0].pk)
    return render(request, "core/no_role.html")


@login_required
@require_POST
def switch_school(request: HttpRequest) -> HttpResponse:
    form = SchoolSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404("No such school.")
    school = get_school_for(viewer_for(request), form.cleaned_data["school"])
    request.session["grove_school_id"] = school.pk
    return redirect("school_overview", school_id=school.pk)


@login_required
@section("staff")
def staff_list(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.VIEW_STAFF)
    rows = queries.staff_for_school(school)
    return render(
        request,
        "core/staff_list.html",
        {"school": school, "rows": rows, "can_manage": viewer.can(Can.MANAGE_STAFF, school)},
    )


@login_required
@section("staff")
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_STAFF)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, created = actions.staff_add(
                actor=viewer.user,
                school=school,
                email=data["email"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                roles=[Role(value) for value in data["roles"]],
                job_title=data["job_title"],
            )
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            if created:
                send_welcome(request, user=user, school=school, by=viewer.user)
                messages.success(
                    request, f"{user.full_name} can now sign in: an email to {user.email} "
                    "lets them choose a password."
                )  # fmt: skip
            else:
                messages.success(request, f"{user.full_name} has their new roles at {school.name}.")
            return redirect("staff_list", school_id=school.pk)
    return render(request, "core/staff_new.html", {"school": school, "form": form})


@login_required
@require_POST
def staff_role_remove(request: HttpRequest, school_id: int, membership_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_STAFF)
    membership = (
        Membership.objects.filter(pk=membership_id, school=school)
        .select_related("user", "school", "trust")
        .first()
    )
    if membership is None:
        raise Http404("No such role in this school.")
    try:
        actions.membership_revoke(actor=viewer.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.user.full_name} is no longer {membership.get_role_display()} here.",
        )
    return redirect("staff_list", school_id=school.pk)


@login_required
@section("audit")
def audit_log(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school_for(viewer_for(request), school_id, Can.VIEW_AUDIT)
    form = AuditSearchForm(request.GET or None, actions=queries.audit_actions(school))
    events = AuditEvent.objects.none()
    if form.is_bound and form.is_valid():
        events = queries.audit_search(
            school=school,
            text=form.cleaned_data["q"],
            action=form.cleaned_data["action"],
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
    elif not form.is_bound:
        events = queries.audit_search(school=school)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "core/_audit_rows.html" if request.htmx else "core/audit_log.html"  # type: ignore[attr-defined]
    return render(request, template, {"school": school, "form": form, "page": page})


@login_required
@section("trust")
@require_http_methods(["GET", "POST"])
def trust_settings(request: HttpRequest, trust_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    trust = get_trust_for(viewer, trust_id, Can.VIEW_TRUST)
    can_manage = viewer.can_in_trust(Can.MANAGE_TRUST, trust)
    if request.method == "POST":
        trust = get_trust_for(viewer, trust_id, Can.MANAGE_TRUST)
        form = TrustSettingsForm(request.POST)
        if form.is_valid():
            actions.trust_settings_update(
                actor=viewer.user,
                trust=trust,
                mfa_required=form.cleaned_data["mfa_required"],
                collection_cap=form.cleaned_data["collection_cap"],
            )
            messages.success(request, "Trust settings saved.")
            return redirect("trust_settings", trust_id=trust.pk)
    else:
        form = TrustSettingsForm(
            initial={"mfa_required": trust.mfa_required, "collection_cap": trust.collection_cap}
        )
    history = AuditEvent.objects.filter(trust=trust, school__isnull=True)[:20]
    return render(
        request,
        "core/trust_settings.html",
        {"trust": trust, "form": form, "can_manage": can_manage, "history": history},
    )


@login_required
def email_managed(request: HttpRequest) -> HttpResponse:
    return render(request, "core/email_managed.html")


@login_required
def mfa_required(request: HttpRequest) -> HttpResponse:
    """Explains why two-step sign-in must be set up; anyone it does not apply to goes home."""
    if not viewer_for(request).must_use_mfa() or queries.has_totp(request.user.pk):
        return redirect("home")
    return render(request, "core/mfa_required.html")
