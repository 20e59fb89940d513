"""How a viewer obtains an import job: outsiders get 404, roles that may not import 403."""

from __future__ import annotations

from django.http import Http404

from grove.core.access import Can, Viewer, require
from grove.core.models import School
from grove.interop.models import ImportJob


def get_job_for(viewer: Viewer, school: School, job_id: int) -> ImportJob:
    """An import job of this school, for someone who may import (leaders and administrators)."""
    require(viewer, Can.MANAGE_PUPILS, school)
    job = ImportJob.objects.filter(pk=job_id, school=school).defer("content").first()
    if job is None:
        raise Http404("No such import in this school.")
    return job
