"""The core's own rules: academic years, terms and role memberships."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grove.core.models import AcademicYear, Membership, Role, Term
from tests.conftest import Cast


def test_an_academic_year_runs_from_september_to_august() -> None:
    year = AcademicYear(start_year=2026)
    assert (year.starts, year.ends) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    assert str(year) == "2026/27"
    assert AcademicYear.start_year_for(dt.date(2027, 8, 31)) == 2026
    assert AcademicYear.start_year_for(dt.date(2027, 9, 1)) == 2027


def test_a_term_outside_its_academic_year_is_refused(cast: Cast) -> None:
    term = Term(
        trust=cast.alder, academic_year=cast.year, name="summer",
        starts=cast.year.ends - dt.timedelta(days=10), ends=cast.year.ends + dt.timedelta(days=5),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        term.full_clean()
    assert "outside the academic year" in str(error.value.message_dict["ends"])


def test_a_trust_wide_role_needs_no_school_and_a_school_role_needs_one(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=cast.teacher, trust=cast.alder, role=Role.TEACHER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=cast.teacher, trust=cast.alder, school=cast.alder_primary,
            role=Role.TRUST_LEADER,
        )  # fmt: skip


def test_a_role_is_held_once_per_school(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=cast.teacher, trust=cast.alder, school=cast.alder_primary, role=Role.TEACHER
        )
