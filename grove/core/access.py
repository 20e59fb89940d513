"""The access policy: which roles may do what in which school, and the getters views use.

Every view asks this module. A person with no role in a school gets a 404 for anything in it
(so an id typed into a URL reveals nothing); a person whose role lets them see a thing but not
change it gets a 403.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from grove.core.models import Membership, Role, School, Trust, User


class Can(enum.Enum):
    """Capabilities, each held in a school (trust-wide roles hold them in every school)."""

    VIEW_SCHOOL = "view_school"  # the school overview, in aggregate
    VIEW_STAFF = "view_staff"  # staff names and roles
    VIEW_PUPILS = "view_pupils"  # pupil names, year groups and teaching groups
    VIEW_ALL_PUPIL_DETAIL = "view_all_pupil_detail"  # characteristics of every pupil
    VIEW_OWN_PUPIL_DETAIL = "view_own_pupil_detail"  # characteristics of pupils one teaches
    MANAGE_PUPILS = "manage_pupils"  # add pupils, enrol them, correct their details
    MANAGE_CHARACTERISTICS = "manage_characteristics"  # SEN, FSM, EAL and the like
    MANAGE_GROUPS = "manage_groups"  # create teaching groups, move pupils between them
    MANAGE_STAFF = "manage_staff"  # add staff, give and take away their roles in the school
    VIEW_AUDIT = "view_audit"
    VIEW_TRUST = "view_trust"  # the trust overview across schools
    MANAGE_TRUST = "manage_trust"  # trust settings such as compulsory MFA
    # Tracking.
    VIEW_ATTAINMENT = "view_attainment"  # attainment figures for the school, never names
    VIEW_ALL_RESULTS = "view_all_results"  # every pupil's judgements, targets and estimates
    VIEW_OWN_RESULTS = "view_own_results"  # judgements of the pupils one teaches
    RECORD_OWN_RESULTS = "record_own_results"  # judgements and targets for one's own groups
    RECORD_ALL_RESULTS = "record_all_results"  # judgements and targets for any group
    MANAGE_TRACKING = "manage_tracking"  # the school's own scales and collection points
    VIEW_WORKLOAD = "view_workload"  # completion and measured time, by group and teacher


_LEADER = {
    Can.VIEW_SCHOOL, Can.VIEW_STAFF, Can.VIEW_PUPILS, Can.VIEW_ALL_PUPIL_DETAIL,
    Can.MANAGE_PUPILS, Can.MANAGE_CHARACTERISTICS, Can.MANAGE_GROUPS,
    Can.VIEW_ATTAINMENT, Can.VIEW_ALL_RESULTS, Can.RECORD_OWN_RESULTS, Can.RECORD_ALL_RESULTS,
    Can.MANAGE_TRACKING, Can.VIEW_WORKLOAD,
}  # fmt: skip
_CLASSROOM = {
    Can.VIEW_SCHOOL, Can.VIEW_STAFF, Can.VIEW_PUPILS, Can.VIEW_OWN_PUPIL_DETAIL,
    Can.VIEW_ATTAINMENT, Can.VIEW_OWN_RESULTS, Can.RECORD_OWN_RESULTS,
}  # fmt: skip

ROLE_CAPABILITIES: dict[Role, frozenset[Can]] = {
    Role.HEADTEACHER: frozenset(_LEADER | {Can.VIEW_AUDIT, Can.MANAGE_STAFF}),
    Role.SENIOR_LEADER: frozenset(_LEADER),
    Role.ADMINISTRATOR: frozenset(_LEADER | {Can.VIEW_AUDIT, Can.MANAGE_STAFF}),
    Role.SENCO: frozenset(
        _CLASSROOM | {Can.VIEW_ALL_PUPIL_DETAIL, Can.MANAGE_CHARACTERISTICS, Can.VIEW_ALL_RESULTS}
    ),
    Role.TEACHER: frozenset(_CLASSROOM),
    Role.TEACHING_ASSISTANT: frozenset(_CLASSROOM),
    # Subject leaders see their subjects across the school: every pupil's judgements.
    Role.SUBJECT_LEADER: frozenset(_CLASSROOM | {Can.VIEW_ALL_RESULTS}),
    Role.SUPPORT_STAFF: frozenset({Can.VIEW_SCHOOL, Can.VIEW_STAFF}),
    # Governors see anonymised aggregates only: no pupil names, no staff names. Held across a
    # trust (a trustee), the role also shows the trust's picture: VIEW_TRUST only counts there.
    Role.GOVERNOR: frozenset({Can.VIEW_SCHOOL, Can.VIEW_TRUST, Can.VIEW_ATTAINMENT}),
    # Trust leaders see aggregates for every school; pupil level is for the data lead.
    Role.TRUST_LEADER: frozenset(
        {Can.VIEW_SCHOOL, Can.VIEW_STAFF, Can.VIEW_TRUST, Can.VIEW_ATTAINMENT, Can.VIEW_WORKLOAD}
    ),
    Role.TRUST_DATA_LEAD: frozenset(
        {
            Can.VIEW_SCHOOL,
            Can.VIEW_STAFF,
            Can.VIEW_PUPILS,
            Can.VIEW_ALL_PUPIL_DETAIL,
            Can.VIEW_TRUST,
            Can.MANAGE_TRUST,
            Can.VIEW_ATTAINMENT,
            Can.VIEW_ALL_RESULTS,
            Can.MANAGE_TRACKING,
            Can.VIEW_WORKLOAD,
        }
    ),
}
# A trust-wide administrator also manages the trust's settings.
TRUST_ADMINISTRATOR_EXTRA = frozenset({Can.VIEW_TRUST, Can.MANAGE_TRUST})

# Roles whose work shows pupil data, even in aggregate: a trust that makes MFA compulsory
# makes it compulsory for these. Support staff and governors see none.
PUPIL_DATA_ROLES = frozenset(Role) - {Role.SUPPORT_STAFF, Role.GOVERNOR}


@dataclass
class Viewer:
    """A signed-in person's roles, loaded once per request, and the questions asked of them."""

    user: User
    # school id -> roles held there, trust-wide roles included.
    roles_by_school: dict[int, set[Role]] = field(default_factory=dict)
    schools: dict[int, School] = field(default_factory=dict)
    trusts: dict[int, Trust] = field(default_factory=dict)
    trust_roles: dict[int, set[Role]] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User) -> Viewer:
        viewer = cls(user=user)
        if not user.is_authenticated or not user.is_active:
            return viewer
        memberships = list(Membership.objects.filter(user=user).select_related("trust", "school"))
        wide_trusts = {m.trust_id for m in memberships if m.school_id is None}
        for membership in memberships:
            viewer.trusts[membership.trust_id] = membership.trust
            if membership.school is not None:
                viewer._add(membership.school, Role(membership.role))
            else:
                viewer.trust_roles.setdefault(membership.trust_id, set()).add(Role(membership.role))
        if wide_trusts:
            for school in School.objects.filter(trust_id__in=wide_trusts).select_related("trust"):
                for role in viewer.trust_roles.get(school.trust_id, set()):
                    viewer._add(school, role)
        return viewer

    def _add(self, school: School, role: Role) -> None:
        self.schools[school.pk] = school
        self.roles_by_school.setdefault(school.pk, set()).add(role)

    # --- questions ----------------------------------------------------------------------
    def roles_in(self, school: School | int) -> set[Role]:
        school_id = school if isinstance(school, int) else school.pk
        return self.roles_by_school.get(school_id, set())

    def capabilities_in(self, school: School | int) -> frozenset[Can]:
        caps: set[Can] = set()
        for role in self.roles_in(school):
            caps |= ROLE_CAPABILITIES[role]
        return frozenset(caps)

    def can(self, capability: Can, school: School | int) -> bool:
        return capability in self.capabilities_in(school)

    def can_in_trust(self, capability: Can, trust: Trust | int) -> bool:
        trust_id = trust if isinstance(trust, int) else trust.pk
        roles = self.trust_roles.get(trust_id, set())
        caps: set[Can] = set()
        for role in roles:
            caps |= ROLE_CAPABILITIES[role]
            if role == Role.ADMINISTRATOR:
                caps |= TRUST_ADMINISTRATOR_EXTRA
        return capability in caps

    def trusts_where(self, capability: Can) -> list[Trust]:
        return sorted(
            (t for t in self.trusts.values() if self.can_in_trust(capability, t)),
            key=lambda t: t.name,
        )

    @property
    def all_schools(self) -> list[School]:
        return sorted(self.schools.values(), key=lambda s: s.name)

    def must_use_mfa(self) -> bool:
        """Whether a trust that makes MFA compulsory gives this person a role that sees pupil
        data. The rule belongs to each trust: a governor in a trust that requires MFA who teaches
        in one that does not is not forced. Reads only what load() has already fetched."""
        requiring = {trust_id for trust_id, trust in self.trusts.items() if trust.mfa_required}
        if not requiring:
            return False
        for trust_id, roles in self.trust_roles.items():
            if trust_id in requiring and roles & PUPIL_DATA_ROLES:
                return True
        for school_id, roles in self.roles_by_school.items():
            if self.schools[school_id].trust_id in requiring and roles & PUPIL_DATA_ROLES:
                return True
        return False

    def role_labels_in(self, school: School | int) -> list[str]:
        return sorted(role.label for role in self.roles_in(school))


def viewer_for(request: HttpRequest) -> Viewer:
    """The request's Viewer, loaded once and kept on the request."""
    cached: Viewer | None = getattr(request, "_grove_viewer", None)
    if cached is None:
        user = request.user
        cached = Viewer.load(user) if isinstance(user, User) else Viewer(user=user)  # type: ignore[arg-type]
        request._grove_viewer = cached  # type: ignore[attr-defined]
    return cached


def require(viewer: Viewer, capability: Can, school: School | int) -> None:
    """404 for someone with no role in the school; 403 for someone whose role does not allow it."""
    if not viewer.roles_in(school):
        raise Http404("No such page.")
    if not viewer.can(capability, school):
        raise PermissionDenied("Your role does not allow this.")


def get_school_for(viewer: Viewer, school_id: int, capability: Can = Can.VIEW_SCHOOL) -> School:
    """The school, if the viewer holds a role there and the capability; else 404 or 403."""
    school = viewer.schools.get(school_id)
    if school is None:
        raise Http404("No such school.")
    require(viewer, capability, school)
    return school


def get_trust_for(viewer: Viewer, trust_id: int, capability: Can = Can.VIEW_TRUST) -> Trust:
    trust = viewer.trusts.get(trust_id)
    if trust is None:
        raise Http404("No such trust.")
    if not viewer.can_in_trust(capability, trust):
        if viewer.can_in_trust(Can.VIEW_TRUST, trust):
            raise PermissionDenied("Your role does not allow this.")
        raise Http404("No such trust.")
    return trust
