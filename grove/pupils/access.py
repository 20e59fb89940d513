"""How a viewer obtains a pupil or a teaching group: outsiders get 404, read-only roles 403."""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from grove.core.access import Can, Viewer, require
from grove.core.models import School
from grove.pupils.models import GroupPupil, Pupil, TeachingGroup


class Detail(enum.IntEnum):
    """How much of a pupil a viewer may see."""

    BASIC = 1  # name, year group, groups
    FULL = 2  # characteristics (SEN, FSM, pupil premium, EAL, looked-after) and their history


def taught_pupil_ids(viewer: Viewer, school: School) -> set[int]:
    """Pupils currently in a group the viewer teaches in this school."""
    return set(
        GroupPupil.objects.filter(
            group__school=school, group__teachers=viewer.user, ends__isnull=True
        ).values_list("pupil_id", flat=True)
    )


def detail_for(viewer: Viewer, school: School, pupil_id: int) -> Detail:
    if viewer.can(Can.VIEW_ALL_PUPIL_DETAIL, school):
        return Detail.FULL
    if viewer.can(Can.VIEW_OWN_PUPIL_DETAIL, school) and pupil_id in taught_pupil_ids(
        viewer, school
    ):
        return Detail.FULL
    return Detail.BASIC


def get_pupil_for(viewer: Viewer, school: School, pupil_id: int) -> tuple[Pupil, Detail]:
    """A pupil on this school's roll (in any year), with how much the viewer may see."""
    require(viewer, Can.VIEW_PUPILS, school)
    pupil = Pupil.objects.filter(
        pk=pupil_id, trust_id=school.trust_id, enrolments__school=school
    ).first()
    if pupil is None:
        raise Http404("No such pupil in this school.")
    return pupil, detail_for(viewer, school, pupil.pk)


def get_pupil_for_write(viewer: Viewer, school: School, pupil_id: int, capability: Can) -> Pupil:
    pupil, _ = get_pupil_for(viewer, school, pupil_id)
    if not viewer.can(capability, school):
        raise PermissionDenied("Your role does not allow this.")
    return pupil


def get_group_for(
    viewer: Viewer, school: School, group_id: int, *, write: bool = False
) -> TeachingGroup:
    require(viewer, Can.VIEW_PUPILS, school)
    group = TeachingGroup.objects.filter(pk=group_id, school=school).first()
    if group is None:
        raise Http404("No such group in this school.")
    if write and not viewer.can(Can.MANAGE_GROUPS, school):
        raise PermissionDenied("Your role does not allow changing groups.")
    return group
