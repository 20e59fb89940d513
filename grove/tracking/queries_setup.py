"""Reads for the tracking setup pages: the trust's and a school's scales, and the collection
calendar with its cost in teacher time and its place against the trust's cap."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from grove.core.models import AcademicYear, School, Trust
from grove.pupils.codes import YEAR_GROUPS
from grove.pupils.models import Enrolment
from grove.tracking.models import Band, CollectionPoint, Scale, SchoolScale

YEAR_LABELS = dict(YEAR_GROUPS)


# --- scales -----------------------------------------------------------------------------------
def _with_bands(scales: QuerySet[Scale]) -> QuerySet[Scale]:
    return scales.prefetch_related(
        Prefetch(
            "bands",
            queryset=Band.objects.select_related("common_band").order_by("value"),
        )
    )


def common_scales(trust_id: int) -> list[Scale]:
    """The trust's common scales, each with its bands (two queries)."""
    return list(_with_bands(Scale.objects.filter(trust_id=trust_id, school__isnull=True)))


@dataclass
class TrustScaleRow:
    scale: Scale
    # (school name, own scale name) for each school that records this scale on its own.
    schools: list[tuple[str, str]] = field(default_factory=list)


def trust_scales(trust: Trust) -> list[TrustScaleRow]:
    """Every common scale with its bands and the schools that record it on their own scale."""
    rows = {scale.pk: TrustScaleRow(scale) for scale in common_scales(trust.pk)}
    choices = (
        SchoolScale.objects.filter(trust=trust)
        .order_by("school__name")
        .values_list("common_scale_id", "school__name", "own_scale__name")
    )
    for common_id, school_name, own_name in choices:
        if common_id in rows:
            rows[common_id].schools.append((school_name, own_name))
    return list(rows.values())


@dataclass
class SchoolScaleRow:
    scale: Scale
    chosen: Scale | None  # the school's own scale used in its place, if any
    own_options: list[Scale] = field(default_factory=list)  # the school's scales mapping onto it


@dataclass
class SchoolScales:
    rows: list[SchoolScaleRow]
    own: list[Scale]


def school_scales(school: School) -> SchoolScales:
    """The common scales, the school's own (bands with their common band) and its choices, in
    a fixed number of queries."""
    own = list(_with_bands(Scale.objects.filter(school=school).select_related("maps_onto")))
    chosen = dict(
        SchoolScale.objects.filter(school=school).values_list("common_scale_id", "own_scale_id")
    )
    own_by_id = {scale.pk: scale for scale in own}
    rows = []
    for scale in common_scales(school.trust_id):
        rows.append(
            SchoolScaleRow(
                scale=scale,
                chosen=own_by_id.get(chosen.get(scale.pk, 0)),
                own_options=[s for s in own if s.maps_onto_id == scale.pk],
            )
        )
    return SchoolScales(rows=rows, own=own)


# --- the collection calendar ------------------------------------------------------------------
@dataclass
class PointRow:
    point: CollectionPoint
    pupils: int  # pupils on roll in the point's year groups, where it applies
    hours: Decimal  # estimated teacher time: minutes per pupil x pupils, in hours

    @property
    def year_group_labels(self) -> list[str]:
        return [YEAR_LABELS.get(code, code) for code in self.point.year_groups]


@dataclass
class Calendar:
    year: AcademicYear
    cap: int
    rows: list[PointRow]
    counted: int  # the points that count against the cap (see cap_count)
    total_hours: Decimal

    @property
    def over_cap(self) -> bool:
        return self.counted > self.cap

    @property
    def at_cap(self) -> bool:
        return self.counted >= self.cap


def _roll(trust: Trust, year: AcademicYear, school: School | None) -> Counter[tuple[int, str]]:
    """Pupils on roll by (school id, year group), in one query."""
    enrolments = Enrolment.objects.filter(
        trust=trust, academic_year=year, ends__isnull=True, school__trust=trust
    )
    if school is not None:
        enrolments = enrolments.filter(school=school)
    counts: Counter[tuple[int, str]] = Counter()
    for row in enrolments.order_by().values("school_id", "year_group").annotate(n=Count("pk")):
        counts[(row["school_id"], row["year_group"])] = row["n"]
    return counts


def cap_count(trust: Trust, year: AcademicYear, school: School | None) -> int:
    """Points counting against the cap, as the calendar action counts them: for a school, the
    trust's points and its own; for the trust, its points and the busiest school's own."""
    trust_wide = 0
    per_school: dict[int, int] = {}
    rows: QuerySet[CollectionPoint, tuple[int | None, int]] = (
        CollectionPoint.objects.filter(trust=trust, academic_year=year)
        .order_by()
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    for school_id, n in rows:
        if school_id is None:
            trust_wide = n
        else:
            per_school[school_id] = n
    if school is not None:
        return trust_wide + per_school.get(school.pk, 0)
    return trust_wide + max(per_school.values(), default=0)


def calendar(trust: Trust, year: AcademicYear, school: School | None) -> Calendar:
    """The year's collection points for a school (the trust's and its own) or for the whole
    trust (every point), each with its estimated cost in teacher time."""
    points = CollectionPoint.objects.filter(trust=trust, academic_year=year)
    if school is not None:
        points = points.filter(Q(school__isnull=True) | Q(school=school))
    points = points.select_related("scale", "school").prefetch_related("subjects")
    roll = _roll(trust, year, school)
    rows: list[PointRow] = []
    for point in points:
        wanted = set(point.year_groups)
        pupils = sum(
            n
            for (school_id, year_group), n in roll.items()
            if year_group in wanted and (point.school_id is None or school_id == point.school_id)
        )
        hours = (point.minutes_per_pupil * pupils / 60).quantize(Decimal("0.1"))
        rows.append(PointRow(point=point, pupils=pupils, hours=hours))
    return Calendar(
        year=year,
        cap=trust.collection_cap,
        rows=rows,
        counted=cap_count(trust, year, school),
        total_hours=sum((r.hours for r in rows), Decimal(0)),
    )


def years_for_switcher() -> list[AcademicYear]:
    return list(AcademicYear.objects.order_by("-start_year"))
