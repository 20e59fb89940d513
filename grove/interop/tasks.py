"""Background tasks: a large import runs in the django-tasks worker, not in the request."""

from __future__ import annotations

from django_tasks import task

from grove.interop.actions import import_job_run


@task()
def import_run(job_id: int) -> str:
    """Run one queued import job; returns its final status."""
    return import_job_run(job_id=job_id).status
