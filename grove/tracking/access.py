"""How a viewer obtains tracking objects: collection points, groups to record for, and whose
judgements they may see. Outsiders get 404; roles that may see but not do get 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from grove.core.access import Can, Viewer, require
from grove.core.models import School
from grove.pupils.access import taught_pupil_ids
from grove.pupils.models import GroupTeacher, Pupil, TeachingGroup
from grove.tracking.models import CollectionPoint, Subject


def points_for_school(school: School) -> Q:
    """The collection points that apply to a school: the trust's and the school's own."""
    return Q(trust_id=school.trust_id) & (Q(school__isnull=True) | Q(school=school))


def get_point_for(viewer: Viewer, school: School, point_id: int) -> CollectionPoint:
    require(viewer, Can.VIEW_ATTAINMENT, school)
    point = (
        CollectionPoint.objects.filter(points_for_school(school), pk=point_id)
        .select_related("scale", "academic_year")
        .first()
    )
    if point is None:
        raise Http404("No such collection point for this school.")
    return point


def get_subject_for(trust_id: int, subject_id: int) -> Subject:
    subject = Subject.objects.filter(trust_id=trust_id, pk=subject_id).first()
    if subject is None:
        raise Http404("No such subject.")
    return subject


def teaches(viewer: Viewer, group: TeachingGroup) -> bool:
    return GroupTeacher.objects.filter(group=group, user=viewer.user).exists()


def get_group_for_entry(viewer: Viewer, school: School, group_id: int) -> TeachingGroup:
    """A group the viewer may record judgements for: one they teach, or any as a leader."""
    require(viewer, Can.VIEW_ATTAINMENT, school)
    group = TeachingGroup.objects.filter(pk=group_id, school=school).first()
    if group is None:
        raise Http404("No such group in this school.")
    if viewer.can(Can.RECORD_ALL_RESULTS, school):
        return group
    if viewer.can(Can.RECORD_OWN_RESULTS, school) and teaches(viewer, group):
        return group
    raise PermissionDenied("Only the group's teachers and school leaders record its judgements.")


def get_group_results_for(viewer: Viewer, school: School, group_id: int) -> TeachingGroup:
    """A group whose pupils' judgements the viewer may see: their own, or any with
    VIEW_ALL_RESULTS."""
    require(viewer, Can.VIEW_ATTAINMENT, school)
    group = TeachingGroup.objects.filter(pk=group_id, school=school).first()
    if group is None:
        raise Http404("No such group in this school.")
    if viewer.can(Can.VIEW_ALL_RESULTS, school):
        return group
    if viewer.can(Can.VIEW_OWN_RESULTS, school) and teaches(viewer, group):
        return group
    raise PermissionDenied("Your role does not show this group's judgements.")


def result_pupil_ids(viewer: Viewer, school: School) -> set[int] | None:
    """Whose judgements the viewer may see in the school: None for everyone, else the ids of
    the pupils they teach (an empty set for roles that see figures only)."""
    if viewer.can(Can.VIEW_ALL_RESULTS, school):
        return None
    if viewer.can(Can.VIEW_OWN_RESULTS, school):
        return taught_pupil_ids(viewer, school)
    return set()


def get_pupil_results_for(viewer: Viewer, school: School, pupil_id: int) -> Pupil:
    """A pupil on the school's roll whose judgements the viewer may see."""
    require(viewer, Can.VIEW_ATTAINMENT, school)
    pupil = Pupil.objects.filter(
        pk=pupil_id, trust_id=school.trust_id, enrolments__school=school
    ).first()
    if pupil is None:
        raise Http404("No such pupil in this school.")
    allowed = result_pupil_ids(viewer, school)
    if allowed is not None and pupil.pk not in allowed:
        raise PermissionDenied("Only the pupil's teachers and school leaders see their judgements.")
    return pupil


def can_record_for_pupil(viewer: Viewer, school: School, pupil_id: int) -> bool:
    if viewer.can(Can.RECORD_ALL_RESULTS, school):
        return True
    return viewer.can(Can.RECORD_OWN_RESULTS, school) and pupil_id in taught_pupil_ids(
        viewer, school
    )
