"""Factories for Grove's models: valid by default, so a test states only what it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from grove.core.models import AcademicYear, Membership, Phase, Role, School, Trust, User
from grove.pupils.codes import make_upn
from grove.pupils.models import Characteristics, Enrolment, GroupPupil, Pupil, TeachingGroup

PASSWORD = "correct-horse-battery"


def this_year() -> AcademicYear:
    start = AcademicYear.start_year_for(timezone.localdate())
    year, _ = AcademicYear.objects.get_or_create(start_year=start)
    return year


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")
    la_code = "201"
    establishment_number = factory.Sequence(lambda n: f"{2000 + n:04d}")
    phase = Phase.PRIMARY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@school.example")
    given_name = "Sam"
    family_name = factory.Sequence(lambda n: f"Staff{n}")
    password = factory.django.Password(PASSWORD)


def member(
    user: User, role: Role, school: School | None = None, trust: Trust | None = None
) -> User:
    trust = trust or (school.trust if school else None)
    assert trust is not None
    Membership.objects.create(user=user, trust=trust, school=school, role=role)
    return user


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    trust = factory.SubFactory(TrustFactory)
    upn = factory.Sequence(lambda n: make_upn(f"999{n:09d}"))
    legal_first_name = factory.Sequence(lambda n: f"Pupil{n}")
    legal_last_name = factory.Sequence(lambda n: f"Surname{n}")
    date_of_birth = dt.date(2017, 3, 14)
    sex = "F"


def enrol(
    pupil: Pupil,
    school: School,
    year_group: str = "4",
    *,
    year: AcademicYear | None = None,
    **characteristics: Any,
) -> Pupil:
    year = year or this_year()
    Enrolment.objects.create(
        trust=school.trust, pupil=pupil, school=school, academic_year=year,
        year_group=year_group, starts=year.starts,
    )  # fmt: skip
    if not pupil.characteristics.exists():
        Characteristics.objects.create(
            trust=school.trust, pupil=pupil, valid_from=year.starts, **characteristics
        )
    return pupil


def group(
    school: School,
    name: str,
    *,
    teachers: tuple[User, ...] = (),
    pupils: tuple[Pupil, ...] = (),
) -> TeachingGroup:
    year = this_year()
    g = TeachingGroup.objects.create(
        trust=school.trust, school=school, academic_year=year, name=name, year_groups=["4"]
    )
    g.teachers.set(teachers, through_defaults={"trust": school.trust})
    for pupil in pupils:
        GroupPupil.objects.create(trust=school.trust, group=g, pupil=pupil, starts=year.starts)
    return g
