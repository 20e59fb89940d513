"""The fixed cast every test can use, built once per test database, and shared helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from grove.core.models import AcademicYear, Phase, Role, School, Trust, User
from grove.pupils.models import Pupil, TeachingGroup
from grove.tracking.actions import ResultRow, results_write, tracking_setup
from grove.tracking.models import Band, CollectionPoint, Scale, Subject
from tests.factories import (
    PASSWORD,
    PupilFactory,
    SchoolFactory,
    TrustFactory,
    UserFactory,
    enrol,
    group,
    member,
    this_year,
)

# The cast: who they are, and the role each holds. Trust "Alder" has two schools; "Birch" is
# another trust whose head is the outsider.
CAST_ROLES: dict[str, tuple[Role, str]] = {
    "head": (Role.HEADTEACHER, "alder_primary"),
    "senior": (Role.SENIOR_LEADER, "alder_primary"),
    "teacher": (Role.TEACHER, "alder_primary"),
    "ta": (Role.TEACHING_ASSISTANT, "alder_primary"),
    "senco": (Role.SENCO, "alder_primary"),
    "subject_leader": (Role.SUBJECT_LEADER, "alder_primary"),
    "support": (Role.SUPPORT_STAFF, "alder_primary"),
    "governor": (Role.GOVERNOR, "alder_primary"),
    "admin": (Role.ADMINISTRATOR, "alder_primary"),
    "trust_leader": (Role.TRUST_LEADER, "trust"),
    "data_lead": (Role.TRUST_DATA_LEAD, "trust"),
    "trustee": (Role.GOVERNOR, "trust"),
    "outsider": (Role.HEADTEACHER, "birch_primary"),
}


@dataclass
class Cast:
    alder: Trust
    birch: Trust
    alder_primary: School
    alder_secondary: School
    birch_primary: School
    year: AcademicYear
    users: dict[str, User]
    taught_pupil: Pupil  # in the teacher's class at Alder Primary, on SEN support
    other_pupil: Pupil  # at Alder Primary, in a class the teacher does not teach
    secondary_pupil: Pupil  # at Alder Secondary
    birch_pupil: Pupil  # at Birch Primary, another trust
    teacher_group: TeachingGroup
    other_group: TeachingGroup
    birch_group: TeachingGroup
    point: CollectionPoint  # Alder's open collection point
    maths: Subject

    def __getattr__(self, name: str) -> Any:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None

    def client_for(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client


def _build_cast() -> None:
    year = this_year()
    alder = TrustFactory(name="Alder Trust")
    birch = TrustFactory(name="Birch Trust")
    schools = {
        "alder_primary": SchoolFactory(trust=alder, name="Alder Primary", urn="110001"),
        "alder_secondary": SchoolFactory(
            trust=alder, name="Alder Secondary", urn="110002", phase=Phase.SECONDARY
        ),
        "birch_primary": SchoolFactory(trust=birch, name="Birch Primary", urn="120001"),
    }
    users = {}
    for name, (role, where) in CAST_ROLES.items():
        user = UserFactory(
            email=f"{name}@cast.example", given_name=name.title(), family_name="Cast"
        )
        if where == "trust":
            member(user, role, trust=alder)
        else:
            member(user, role, schools[where])
        users[name] = user
    primary = schools["alder_primary"]
    taught = enrol(
        PupilFactory(trust=alder, legal_first_name="Tamsin", legal_last_name="Taught"),
        primary, sen_provision="K", sen_primary_need="SLCN", pupil_premium=True,
    )  # fmt: skip
    other = enrol(
        PupilFactory(trust=alder, legal_first_name="Oliver", legal_last_name="Other"),
        primary, eal=True, first_language="POL",
    )  # fmt: skip
    enrol(
        PupilFactory(trust=alder, legal_first_name="Seren", legal_last_name="Secondary"),
        schools["alder_secondary"], "8",
    )  # fmt: skip
    birch_pupil = enrol(
        PupilFactory(trust=birch, legal_first_name="Bramwell", legal_last_name="Birch"),
        schools["birch_primary"],
    )  # fmt: skip
    group(primary, "4 Oak", teachers=(users["teacher"], users["ta"]), pupils=(taught,))
    group(primary, "4 Ash", pupils=(other,))
    group(schools["birch_primary"], "4 Elm", teachers=(users["outsider"],), pupils=(birch_pupil,))
    _build_tracking(alder, birch, year, users["data_lead"], primary, taught)


def _build_tracking(
    alder: Trust, birch: Trust, year: AcademicYear, lead: User, primary: School, taught: Pupil
) -> None:
    """Both trusts get the built-in scales; Alder has one open collection point (teacher
    assessment in maths and reading, years 3 to 6) where the taught pupil has a judgement."""
    tracking_setup(actor=None, trust=alder)
    tracking_setup(actor=None, trust=birch)
    today = timezone.localdate()
    point = CollectionPoint.objects.create(
        trust=alder,
        academic_year=year,
        name="Autumn assessment",
        opens=max(year.starts, today - dt.timedelta(days=20)),
        closes=min(year.ends, today + dt.timedelta(days=20)),
        year_groups=["3", "4", "5", "6"],
        scale=Scale.objects.get(trust=alder, builtin_key="teacher_assessment"),
        purpose="To plan next term's teaching.",
        used_by="Class teachers and the head.",
        minutes_per_pupil=Decimal("0.5"),
    )
    point.subjects.set(Subject.objects.filter(trust=alder, code__in=["maths", "reading"]))
    maths = Subject.objects.get(trust=alder, code="maths")
    exs = Band.objects.get(scale=point.scale, code="EXS")
    results_write(
        actor=lead,
        trust=alder,
        rows=[ResultRow(point.pk, maths.pk, taught.pk, primary.pk, "4", exs)],
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        _build_cast()


@pytest.fixture
def cast(db: None) -> Cast:
    schools = {s.name: s for s in School.objects.select_related("trust")}
    pupils = {p.legal_last_name: p for p in Pupil.objects.all()}
    groups = {g.name: g for g in TeachingGroup.objects.all()}
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@cast.example")}
    return Cast(
        alder=Trust.objects.get(name="Alder Trust"),
        birch=Trust.objects.get(name="Birch Trust"),
        alder_primary=schools["Alder Primary"],
        alder_secondary=schools["Alder Secondary"],
        birch_primary=schools["Birch Primary"],
        year=this_year(),
        users=users,
        taught_pupil=pupils["Taught"],
        other_pupil=pupils["Other"],
        secondary_pupil=pupils["Secondary"],
        birch_pupil=pupils["Birch"],
        teacher_group=groups["4 Oak"],
        other_group=groups["4 Ash"],
        birch_group=groups["4 Elm"],
        point=CollectionPoint.objects.get(name="Autumn assessment"),
        maths=Subject.objects.get(trust__name="Alder Trust", code="maths"),
    )


__all__ = ["PASSWORD", "Cast"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: cached reads never outlive the data behind them."""
    from django.core.cache import cache

    cache.clear()
