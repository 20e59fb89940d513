"""The demo's tracking: three years of collections whose figures look like real schools'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from grove.core.models import AcademicYear, Trust
from grove.pupils import demo
from grove.pupils.models import Enrolment, GroupKind, GroupPupil, TeachingGroup
from grove.tracking.actions import rollups_rebuild
from grove.tracking.models import Band, CollectionPoint, EntrySession, Result, Rollup, Target

# A fixed "today" in late November: this year's autumn collection is open, the rest to come.
TODAY = dt.date(2026, 11, 24)
START = 2026


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        years_before = set(AcademicYear.objects.values_list("pk", flat=True))
        demo.demo_seed(reset=True, today=TODAY)
    yield
    with django_db_blocker.unblock(), transaction.atomic():
        demo.demo_remove()
        AcademicYear.objects.exclude(pk__in=years_before).delete()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def riverside() -> Trust:
    return Trust.objects.get(name=demo.DEMO_TRUST_NAME)


def share_at_expected(point: CollectionPoint) -> float:
    expected = Band.objects.get(scale=point.scale, is_expected=True).value
    results = Result.objects.filter(point=point)
    return results.filter(common_band__value__gte=expected).count() / results.count()


def test_three_years_of_three_termly_collections() -> None:
    points = CollectionPoint.objects.filter(trust=riverside(), school=None)
    for start in (START - 2, START - 1, START):
        year = points.filter(academic_year__start_year=start)
        primary = year.filter(scale__builtin_key="teacher_assessment").order_by("opens")
        assert [p.name.split()[0] for p in primary] == ["Autumn", "Spring", "Summer"]
        assert not primary.exclude(over_cap_reason="")  # the cap's three
        for point in year:
            assert point.purpose and point.used_by and point.minutes_per_pupil > 0
        # Past the cap only with a reason everyone can read.
        assert year.count() > 3
        assert not year.filter(scale__builtin_key="gcse", over_cap_reason="")


def test_share_at_expected_rises_through_each_past_year() -> None:
    for start in (START - 2, START - 1):
        for key in ("teacher_assessment", "gcse"):
            points = CollectionPoint.objects.filter(
                trust=riverside(), academic_year__start_year=start, scale__builtin_key=key
            ).order_by("opens")
            shares = [share_at_expected(p) for p in points]
            assert shares == sorted(shares), (start, key, shares)
            assert shares[-1] - shares[0] > 0.08


def test_results_spread_across_bands_and_pupil_groups_differ() -> None:
    point = CollectionPoint.objects.get(
        trust=riverside(),
        academic_year__start_year=START - 1,
        name="Summer teacher assessment",
    )
    codes = set(Result.objects.filter(point=point).values_list("band__code", flat=True))
    assert {"WTS", "EXS", "GDS"} <= codes
    assert codes & {"PK1", "PK2", "PK3", "PK4", "PK5", "PK6"}
    assert 0.55 <= share_at_expected(point) <= 0.8
    cells = Rollup.objects.filter(point=point)

    def share(group: str) -> float:
        rows = cells.filter(pupil_group=group)
        at = rows.filter(band__code__in=("EXS", "GDS")).values_list("count", flat=True)
        return sum(at) / sum(rows.values_list("count", flat=True))

    assert share("pp") < share("not_pp")
    assert share("sen_e") < share("sen_k") < share("sen_n")


def test_rollups_match_a_recount() -> None:
    trust = riverside()
    cells = ("school_id", "point_id", "subject_id", "year_group", "pupil_group", "band_id")
    before = {
        row[:-1]: row[-1] for row in Rollup.objects.filter(trust=trust).values_list(*cells, "count")
    }
    rollups_rebuild(trust=trust)
    after = {
        row[:-1]: row[-1] for row in Rollup.objects.filter(trust=trust).values_list(*cells, "count")
    }
    assert {k: v for k, v in before.items() if v} == after


def test_results_only_for_pupils_enrolled_in_the_points_year_groups() -> None:
    enrolled = {
        (pupil, school, year): code
        for pupil, school, year, code in Enrolment.objects.filter(
            trust__name__in=demo.DEMO_TRUST_NAMES
        ).values_list("pupil_id", "school_id", "academic_year_id", "year_group")
    }
    points = {
        p.pk: p for p in CollectionPoint.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES)
    }
    rows = Result.objects.filter(trust__name__in=demo.DEMO_TRUST_NAMES).values_list(
        "pupil_id", "school_id", "point_id", "year_group"
    )
    assert rows.count() > 20_000
    for pupil, school, point_id, code in rows:
        point = points[point_id]
        assert enrolled.get((pupil, school, point.academic_year_id)) == code
        assert code in point.year_groups


def test_only_collections_already_open_hold_judgements_and_the_open_one_is_part_done() -> None:
    points = CollectionPoint.objects.filter(trust=riverside(), academic_year__start_year=START)
    assert not Result.objects.filter(point__in=points.filter(opens__gt=TODAY))
    open_point = points.get(name="Autumn teacher assessment")
    assert open_point.opens <= TODAY <= open_point.closes
    classes = TeachingGroup.objects.filter(
        trust=riverside(), academic_year__start_year=START, kind=GroupKind.CLASS
    ).exclude(school__phase="secondary")
    done = 0
    for group in classes:
        pupils = GroupPupil.objects.filter(group=group).values_list("pupil_id", flat=True)
        done += Result.objects.filter(point=open_point, pupil_id__in=pupils).exists()
    assert 0.3 * classes.count() < done < 0.9 * classes.count()


def test_past_collections_have_measured_entry_time() -> None:
    sessions = EntrySession.objects.filter(trust=riverside(), point__closes__lt=TODAY)
    assert sessions.count() > 500
    for session in sessions[:200]:
        pupils = GroupPupil.objects.filter(group_id=session.group_id).count()
        # One to four minutes for a class of thirty (a little slack for rounding).
        assert pupils / 30 * 55 <= session.seconds <= pupils / 30 * 245 + 1


def test_earlier_years_have_classes_with_teachers() -> None:
    for start in (START - 2, START - 1):
        groups = TeachingGroup.objects.filter(trust=riverside(), academic_year__start_year=start)
        assert groups.count() > 30
        assert not groups.filter(teachers__isnull=True)
        placements = GroupPupil.objects.filter(group__in=groups)
        assert not placements.filter(ends__isnull=True)


def test_some_pupils_have_targets() -> None:
    targets = Target.objects.filter(trust=riverside(), academic_year__start_year=START)
    assert 10 <= targets.count() <= 40
    assert set(targets.values_list("band__code", flat=True)) <= {"EXS", "GDS"}
