"""Pages for imports: the list of past imports, the upload, matching columns, and a job's
progress and error report (polled by htmx while it runs)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from grove.core.access import Can, get_school_for, viewer_for
from grove.core.views import section
from grove.interop import actions
from grove.interop.access import get_job_for
from grove.interop.forms import MappingForm, UploadForm
from grove.interop.models import ColumnMapping, ImportJob, ImportKind, ImportStatus
from grove.interop.tabular import (
    FIELDS,
    PRESETS,
    FileProblem,
    guess_mapping,
    mapping_problems,
    read_table,
)
from grove.interop.tasks import import_run

PAGE_SIZE = 25
ERRORS_SHOWN = 200


@login_required
@section("imports")
def import_list(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_PUPILS)
    jobs = (
        ImportJob.objects.filter(school=school)
        .defer("content", "errors")
        .select_related("uploaded_by")
    )
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interop/import_list.html", {"school": school, "page": page})


@login_required
@section("imports")
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_PUPILS)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = actions.import_job_create(
            actor=viewer.user,
            school=school,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            content=upload.read(),
        )
        if job.kind == ImportKind.CTF:
            actions.import_job_dispatch(job=job, enqueue=import_run.enqueue)
            return redirect("import_job", school_id=school.pk, job_id=job.pk)
        return redirect("import_columns", school_id=school.pk, job_id=job.pk)
    return render(request, "interop/import_new.html", {"school": school, "form": form})


@login_required
@section("imports")
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, school_id: int, job_id: int) -> HttpResponse:
    """Match the file's columns to Grove's fields, pre-filled from the school's last import."""
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_PUPILS)
    job = get_job_for(viewer, school, job_id)
    if job.status != ImportStatus.MAPPING:
        return redirect("import_job", school_id=school.pk, job_id=job.pk)
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    try:
        table = read_table(job.filename, bytes(content))
    except FileProblem as problem:
        actions.import_job_reject(job=job, message=str(problem))
        return redirect("import_job", school_id=school.pk, job_id=job.pk)
    saved = ColumnMapping.objects.filter(school=school, kind=job.kind).first()
    guess = guess_mapping(job.kind, table.headers, saved.mapping if saved else {})
    initial = {f"col_{name}": header for name, header in guess.items()}
    data = request.POST if request.method == "POST" else None
    if data is not None and data.get("preset") in PRESETS and "apply_preset" in data:
        preset = PRESETS[data["preset"]][job.kind]
        initial = {f"col_{k}": v for k, v in preset.items() if v in table.headers}
        data = None
    form = MappingForm(data, initial=initial, kind=job.kind, headers=table.headers)
    if data is not None and form.is_valid():
        mapping = form.mapping()
        problems = mapping_problems(job.kind, table.headers, mapping)
        for message in problems:
            form.add_error(None, message)
        if not problems:
            job = actions.import_job_start(actor=viewer.user, job=job, mapping=mapping)
            if job.status == ImportStatus.DONE:
                messages.success(request, f"{job.filename} is imported.")
            return redirect("import_job", school_id=school.pk, job_id=job.pk)
    return render(
        request,
        "interop/import_columns.html",
        {
            "school": school,
            "job": job,
            "form": form,
            "headers": table.headers,
            "preview": table.rows[:3],
            "rows": len(table.rows),
            "saved": saved,
            "fields": FIELDS[job.kind],
        },
    )


@login_required
@section("imports")
def import_job(request: HttpRequest, school_id: int, job_id: int) -> HttpResponse:
    """A job's progress and result; htmx polls the status part every second while it runs."""
    viewer = viewer_for(request)
    school = get_school_for(viewer, school_id, Can.MANAGE_PUPILS)
    job = get_job_for(viewer, school, job_id)
    before = (
        ImportJob.objects.filter(
            school=school,
            kind=job.kind,
            sha256=job.sha256,
            status=ImportStatus.DONE,
            created_at__lt=job.created_at,
        )
        .defer("content", "errors")
        .first()
    )
    context = {
        "school": school,
        "job": job,
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(0, job.error_count - ERRORS_SHOWN),
        "before": before,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "interop/_job_status.html", context)
    return render(request, "interop/import_job.html", context)
