"""Reads for tracking: figures from trust down to class (rollups above the class, results
below), a class's sheet, a pupil's record with estimates, completion and workload."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from grove.core.models import AcademicYear, School, Trust, User
from grove.pupils.codes import YEAR_GROUPS
from grove.pupils.models import Enrolment, GroupPupil, GroupTeacher, Pupil, TeachingGroup
from grove.tracking import groups as pupil_groups
from grove.tracking.access import points_for_school
from grove.tracking.models import (
    Band,
    CollectionPoint,
    EntrySession,
    Result,
    Rollup,
    Scale,
    SchoolScale,
    Subject,
    Target,
)

SMALL_NUMBER = 5
YEAR_LABELS = dict(YEAR_GROUPS)
YEAR_ORDER = {code: i for i, (code, _) in enumerate(YEAR_GROUPS)}


# --- choosing what to show -----------------------------------------------------------------------
def points_for(
    trust: Trust, year: AcademicYear, school: School | None = None
) -> list[CollectionPoint]:
    """The year's collection points: the trust's (and the school's own, given a school)."""
    query = (
        CollectionPoint.objects.filter(points_for_school(school))
        if school is not None
        else CollectionPoint.objects.filter(trust=trust, school__isnull=True)
    )
    return list(
        query.filter(academic_year=year)
        .select_related("scale", "academic_year")
        .prefetch_related("subjects")
        .order_by("opens", "name")
    )


def default_point(points: Sequence[CollectionPoint], today: dt.date) -> CollectionPoint | None:
    """The latest point whose window has opened, else the first."""
    opened = [p for p in points if p.opens <= today]
    return opened[-1] if opened else (points[0] if points else None)


def previous_point(point: CollectionPoint, subject: Subject) -> CollectionPoint | None:
    """The point before this one on the same scale collecting the same subject, for change."""
    return (
        CollectionPoint.objects.filter(
            Q(school__isnull=True) if point.school_id is None else Q(school_id=point.school_id),
            trust_id=point.trust_id,
            scale_id=point.scale_id,
            subjects=subject,
            closes__lt=point.opens,
        )
        .order_by("-closes")
        .first()
    )


def recording_scale(point: CollectionPoint, school: School) -> Scale:
    """The scale a school records on at this point: its own, if it chose one, else the point's."""
    choice = (
        SchoolScale.objects.filter(school=school, common_scale_id=point.scale_id)
        .select_related("own_scale")
        .first()
    )
    return choice.own_scale if choice else point.scale


def bands_of(scale_id: int) -> list[Band]:
    return list(Band.objects.filter(scale_id=scale_id).order_by("value"))


def expected_value(bands: Sequence[Band]) -> float | None:
    return next((b.value for b in bands if b.is_expected), None)


# --- figures -------------------------------------------------------------------------------------
@dataclass
class Figure:
    """A row of figures: how many pupils have a judgement, and how they spread over the bands."""

    label: str
    key: str
    counts: list[int]
    at_expected: int | None
    previous_share: float | None = None
    names_visible: bool = True
    url: str = ""  # where the row drills down to, if the viewer may go there

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def share(self) -> float | None:
        if self.at_expected is None or not self.n:
            return None
        return self.at_expected / self.n

    @property
    def hidden(self) -> bool:
        """Too few pupils to show figures to someone who sees no names."""
        return not self.names_visible and self.n < SMALL_NUMBER

    @property
    def n_display(self) -> str:
        if self.names_visible:
            return f"{self.n:,}"
        if self.n < SMALL_NUMBER:
            return f"fewer than {SMALL_NUMBER}"
        return f"{SMALL_NUMBER * round(self.n / SMALL_NUMBER):,}"

    def _small(self, count: int) -> bool:
        return not self.names_visible and 0 < count < SMALL_NUMBER

    @property
    def share_display(self) -> str:
        share = self.share
        if share is None or self.hidden:
            return "–"
        assert self.at_expected is not None
        if self._small(self.at_expected) or self._small(self.n - self.at_expected):
            return "not shown (small numbers)"
        return f"{share:.0%}"

    @property
    def change_display(self) -> str:
        share = self.share
        if share is None or self.previous_share is None or self.hidden:
            return "–"
        points = round((share - self.previous_share) * 100)
        return f"{points:+d} points" if points else "no change"

    @property
    def spread(self) -> list[tuple[float, str]]:
        """Each band's share and how to show it."""
        out = []
        for count in self.counts:
            share = count / self.n if self.n else 0.0
            if self.hidden or self._small(count):
                out.append((share, "<5" if count else "0%"))
            else:
                out.append((share, f"{share:.0%}"))
        return out

    @property
    def bar(self) -> list[float]:
        """Percent widths for the chart (empty when the figures are hidden)."""
        if self.hidden or not self.n:
            return []
        return [round(100 * c / self.n, 1) for c in self.counts]


def _at_expected(counts: dict[int, int], bands: Sequence[Band], threshold: float) -> int:
    return sum(counts.get(b.pk, 0) for b in bands if b.value >= threshold)


def _figures(
    cells: dict[str, dict[int, int]],
    previous: dict[str, dict[int, int]],
    bands: Sequence[Band],
    labels: dict[str, str],
    names_visible: bool,
) -> list[Figure]:
    """One row per label; the previous point is on the same scale (see previous_point)."""
    threshold = expected_value(bands)
    rows = []
    for key, label in labels.items():
        now = cells.get(key, {})
        counts = [now.get(b.pk, 0) for b in bands]
        at = _at_expected(now, bands, threshold) if threshold is not None else None
        before = previous.get(key, {})
        total = sum(before.values())
        prev_share = (
            _at_expected(before, bands, threshold) / total
            if total and threshold is not None
            else None
        )
        rows.append(Figure(label, key, counts, at, prev_share, names_visible))
    return rows


def total_of(rows: Sequence[Figure], label: str) -> Figure:
    width = len(rows[0].counts) if rows else 0
    counts = [sum(r.counts[i] for r in rows) for i in range(width)]
    ats = [r.at_expected for r in rows]
    at = None if any(a is None for a in ats) else sum(a or 0 for a in ats)
    names = all(r.names_visible for r in rows) if rows else True
    return Figure(label, "", counts, at, None, names)


def _rollup_cells(query: QuerySet[Rollup], key_field: str) -> dict[str, dict[int, int]]:
    cells: dict[str, dict[int, int]] = defaultdict(dict)
    for key, band_id, total in query.values_list(key_field, "band_id").annotate(total=Sum("count")):
        if total:
            cells[str(key)][band_id] = total
    return cells


def _now_and_before(
    point: CollectionPoint, subject: Subject, group_key: str, key_field: str, **where: object
) -> tuple[dict[str, dict[int, int]], dict[str, dict[int, int]], list[Band]]:
    """Rollup counts per row key and band at this point and at the one before (same scale)."""
    cells = _rollup_cells(
        Rollup.objects.filter(point=point, subject=subject, pupil_group=group_key, **where),
        key_field,
    )
    before = previous_point(point, subject)
    previous = (
        _rollup_cells(
            Rollup.objects.filter(point=before, subject=subject, pupil_group=group_key, **where),
            key_field,
        )
        if before
        else {}
    )
    return cells, previous, bands_of(point.scale_id)


def trust_figures(
    trust: Trust,
    point: CollectionPoint,
    subject: Subject,
    group_key: str,
    schools: Sequence[School],
    names_visible: bool,
) -> list[Figure]:
    """One row per school, read from rollups only."""
    # The point belongs to the trust, so it scopes the read (and the rollup index leads with it).
    if point.trust_id != trust.pk:
        return []
    cells, previous, bands = _now_and_before(point, subject, group_key, "school_id")
    labels = {str(s.pk): s.name for s in schools}
    return _figures(cells, previous, bands, labels, names_visible)


def school_figures(
    school: School,
    point: CollectionPoint,
    subject: Subject,
    group_key: str,
    names_visible: bool,
) -> list[Figure]:
    """One row per year group the point collects, read from rollups only."""
    cells, previous, bands = _now_and_before(point, subject, group_key, "year_group", school=school)
    years = sorted(set(point.year_groups) | set(cells), key=lambda y: YEAR_ORDER.get(y, 99))
    labels = {y: YEAR_LABELS.get(y, y) for y in years}
    return _figures(cells, previous, bands, labels, names_visible)


def _filter_group(query: QuerySet[Result], group_key: str) -> QuerySet[Result]:
    if group_key == "all":
        return query
    bits, present = pupil_groups.GROUP_TEST[group_key]
    query = query.annotate(_bits=F("groups").bitand(bits))
    return query.filter(_bits__gt=0) if present else query.filter(_bits=0)


def year_group_figures(
    school: School,
    point: CollectionPoint,
    subject: Subject,
    year_group: str,
    group_key: str,
    names_visible: bool,
) -> list[Figure]:
    """One row per teaching group in the year group, read from the results (a few hundred)."""
    results = _filter_group(
        Result.objects.filter(school=school, point=point, subject=subject, year_group=year_group),
        group_key,
    )
    band_of = dict(results.values_list("pupil_id", "common_band_id"))
    placements = GroupPupil.objects.filter(
        group__school=school,
        group__academic_year_id=point.academic_year_id,
        pupil_id__in=list(band_of),
        ends__isnull=True,
    ).values_list("group_id", "pupil_id")
    cells: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for group_id, pupil_id in placements:
        cells[str(group_id)][band_of[pupil_id]] += 1
    groups = TeachingGroup.objects.filter(
        school=school, academic_year_id=point.academic_year_id, pk__in=[int(k) for k in cells]
    ).order_by("name")
    labels = {str(g.pk): g.name for g in groups}
    bands = bands_of(point.scale_id)
    return _figures(cells, {}, bands, labels, names_visible)


# --- a class's sheet -----------------------------------------------------------------------------
@dataclass
class SheetRow:
    pupil: Pupil
    year_group: str
    current: str  # what was typed: a band code or a score
    current_band: Band | None
    previous: str  # the last point's judgement, shown faintly
    target: Band | None
    track: str  # "above", "on", "below" or ""


def track_against(band: Band | None, target: Band | None) -> str:
    """Above, on or below the target band (on a scale of scores, a score inside the target's
    band is on track)."""
    if band is None or target is None:
        return ""
    if band.value > target.value:
        return "above"
    return "on" if band.value == target.value else "below"


def _shown(band: Band, value: float, numeric: bool) -> str:
    return f"{value:g}" if numeric else band.code


def group_sheet(
    group: TeachingGroup, point: CollectionPoint, subject: Subject, scale: Scale
) -> list[SheetRow]:
    """The group's pupils with this point's judgement, the previous point's, and the target."""
    pupils = list(
        Pupil.objects.filter(placements__group=group, placements__ends__isnull=True).order_by(
            "legal_last_name", "legal_first_name", "pk"
        )
    )
    ids = [p.pk for p in pupils]
    years = dict(
        Enrolment.objects.filter(
            school_id=group.school_id, academic_year_id=point.academic_year_id, pupil_id__in=ids
        ).values_list("pupil_id", "year_group")
    )
    bands = {b.pk: b for b in Band.objects.filter(scale__trust_id=group.trust_id)}
    now = {
        pupil_id: (band_id, value)
        for pupil_id, band_id, value in Result.objects.filter(
            point=point, subject=subject, pupil_id__in=ids
        ).values_list("pupil_id", "band_id", "value")
    }
    before = previous_point(point, subject)
    then = (
        {
            pupil_id: (band_id, value)
            for pupil_id, band_id, value in Result.objects.filter(
                point=before, subject=subject, pupil_id__in=ids
            ).values_list("pupil_id", "band_id", "value")
        }
        if before
        else {}
    )
    targets = dict(
        Target.objects.filter(
            pupil_id__in=ids, subject=subject, academic_year_id=point.academic_year_id
        ).values_list("pupil_id", "band_id")
    )
    rows = []
    for pupil in pupils:
        band_id, value = now.get(pupil.pk, (None, None))
        band = bands.get(band_id) if band_id else None
        previous = ""
        if pupil.pk in then:
            prev_band = bands[then[pupil.pk][0]]
            previous = _shown(prev_band, then[pupil.pk][1], scale.numeric)
        target = bands.get(targets[pupil.pk]) if pupil.pk in targets else None
        rows.append(
            SheetRow(
                pupil=pupil,
                year_group=years.get(pupil.pk, ""),
                current=_shown(band, value, scale.numeric) if band and value is not None else "",
                current_band=band,
                previous=previous,
                target=target,
                track=track_against(band, target),
            )
        )
    return rows


def entry_groups(
    viewer_user: User, school: School, year: AcademicYear, *, all_groups: bool
) -> QuerySet[TeachingGroup]:
    """Groups to record for: one's own, or every group for leaders."""
    query = TeachingGroup.objects.filter(school=school, academic_year=year)
    if not all_groups:
        query = query.filter(teachers=viewer_user)
    return query.order_by("name")


# --- a pupil's record ----------------------------------------------------------------------------
@dataclass
class PupilSubject:
    subject: Subject
    cells: list[str]  # per point of the year: the judgement, or ""
    target: Band | None
    track: str
    estimate: Estimate | None = None


@dataclass
class Estimate:
    """A range with chances, never a single number presented as a target."""

    outcome: str  # what is estimated, e.g. "Summer assessment"
    low: str
    high: str
    chances: list[tuple[str, float]]  # band code, probability
    cohort: int  # how many earlier pupils it was learnt from
    prior: str


@dataclass
class PupilRecord:
    points: list[CollectionPoint]
    subjects: list[PupilSubject] = field(default_factory=list)


def pupil_record(pupil: Pupil, school: School, year: AcademicYear) -> PupilRecord:
    points = points_for(school.trust, year, school)
    collected = {s.pk for p in points for s in p.subjects.all()}
    # Point, subject and pupil together: the unique index answers it with one seek each.
    results = list(
        # Only what was recorded in this school: a former pupil's judgements at their next
        # school are not this school's to see.
        Result.objects.filter(
            point__in=points, subject_id__in=collected, pupil=pupil, school=school
        ).select_related("band", "subject")
    )
    targets = {
        t.subject_id: t
        for t in Target.objects.filter(pupil=pupil, academic_year=year).select_related("band")
    }
    by_subject: dict[int, dict[int, Result]] = defaultdict(dict)
    subjects: dict[int, Subject] = {}
    for result in results:
        by_subject[result.subject_id][result.point_id] = result
        subjects[result.subject_id] = result.subject
    for point in points:
        for subject in point.subjects.all():
            if point.year_groups and subject.pk not in subjects:
                subjects.setdefault(subject.pk, subject)
    numeric = {p.pk: p.scale.numeric for p in points}
    record = PupilRecord(points=points)
    for subject in sorted(subjects.values(), key=lambda s: (s.position, s.name)):
        cells: list[str] = []
        latest: Result | None = None
        for point in points:
            found = by_subject[subject.pk].get(point.pk)
            if found is None:
                cells.append("")
                continue
            latest = found
            cells.append(_shown(result.band, result.value, numeric[point.pk]))
        target = targets.get(subject.pk)
        track = track_against(latest.band if latest else None, target.band if target else None)
        if any(cells) or target:
            record.subjects.append(
                PupilSubject(subject, cells, target.band if target else None, track)
            )
    return record


# --- completion and workload ---------------------------------------------------------------------
@dataclass
class CompletionRow:
    label: str
    expected: int
    recorded: int
    teachers: str = ""
    minutes: float = 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.recorded / self.expected) if self.expected else 0


def completion_by_group(school: School, point: CollectionPoint) -> list[CompletionRow]:
    """For each group with pupils in the point's year groups: judgements expected (pupils ×
    subjects) and recorded, its teachers, and the minutes measured entering them."""
    subjects = list(point.subjects.values_list("pk", flat=True))
    placements = list(
        GroupPupil.objects.filter(
            group__school=school,
            group__academic_year_id=point.academic_year_id,
            ends__isnull=True,
            pupil__enrolments__school=school,
            pupil__enrolments__academic_year_id=point.academic_year_id,
            pupil__enrolments__year_group__in=point.year_groups,
        ).values_list("group_id", "pupil_id")
    )
    recorded_pairs = set(
        Result.objects.filter(school=school, point=point).values_list("pupil_id", "subject_id")
    )
    groups = {
        g.pk: g
        for g in TeachingGroup.objects.filter(pk__in={g for g, _ in placements}).order_by("name")
    }
    teacher_names: dict[int, list[str]] = defaultdict(list)
    for group_id, given, family, email in GroupTeacher.objects.filter(
        group_id__in=groups
    ).values_list("group_id", "user__given_name", "user__family_name", "user__email"):
        teacher_names[group_id].append(f"{given} {family}".strip() or email)
    minutes: dict[int, float] = defaultdict(float)
    for group_id, seconds in EntrySession.objects.filter(point=point, school=school).values_list(
        "group_id", "seconds"
    ):
        minutes[group_id] += seconds / 60
    rows: dict[int, CompletionRow] = {}
    for group_id, pupil_id in placements:
        row = rows.setdefault(
            group_id,
            CompletionRow(
                groups[group_id].name,
                0,
                0,
                ", ".join(sorted(teacher_names[group_id])),
                minutes[group_id],
            ),
        )
        row.expected += len(subjects)
        row.recorded += sum((pupil_id, s) in recorded_pairs for s in subjects)
    return sorted(rows.values(), key=lambda r: r.label)


@dataclass
class WorkloadRow:
    label: str
    pupils: int
    estimated_hours: float
    measured_hours: float
    recorded: int


def workload_by_point(school: School | None, trust: Trust, year: AcademicYear) -> list[WorkloadRow]:
    """Per collection point: the estimate (minutes per pupil × pupils × subjects) beside the
    teacher time measured on the entry pages."""
    points = points_for(trust, year, school)
    enrol = Enrolment.objects.filter(academic_year=year, school__trust=trust)
    if school is not None:
        enrol = enrol.filter(school=school)
    per_year = dict(enrol.values_list("year_group").annotate(n=Count("pk")))
    sessions = EntrySession.objects.filter(point__in=points)
    results = Result.objects.filter(point__in=points)
    if school is not None:
        sessions = sessions.filter(school=school)
        results = results.filter(school=school)
    seconds = dict(sessions.values_list("point_id").annotate(s=Sum("seconds")))
    recorded = dict(results.values_list("point_id").annotate(n=Count("pk")))
    rows = []
    for point in points:
        pupils = sum(per_year.get(y, 0) for y in point.year_groups)
        subjects = len(point.subjects.all())
        estimate = float(point.minutes_per_pupil * Decimal(pupils * subjects)) / 60
        rows.append(
            WorkloadRow(
                point.name,
                pupils,
                round(estimate, 1),
                round((seconds.get(point.pk) or 0) / 3600, 1),
                recorded.get(point.pk, 0),
            )
        )
    return rows


def workload_by_teacher(school: School, year: AcademicYear) -> list[tuple[str, float, int]]:
    """Measured hours of data entry per member of staff this year, with judgements saved."""
    rows = (
        EntrySession.objects.filter(school=school, point__academic_year=year)
        .values("user__given_name", "user__family_name", "user__email")
        .annotate(seconds=Sum("seconds"), saves=Sum("saves"))
        .order_by("-seconds")
    )
    return [
        (
            f"{r['user__given_name']} {r['user__family_name']}".strip() or r["user__email"],
            round((r["seconds"] or 0) / 3600, 2),
            r["saves"] or 0,
        )
        for r in rows
    ]


def completion_by_school(
    trust: Trust, point: CollectionPoint, schools: Sequence[School]
) -> list[CompletionRow]:
    """For a trust-wide point: judgements expected (pupils in its year groups × subjects) and
    recorded in each school, and the minutes measured entering them."""
    subjects = len(point.subjects.all())
    pupils = dict(
        Enrolment.objects.filter(
            school__in=schools,
            academic_year_id=point.academic_year_id,
            year_group__in=point.year_groups,
        )
        .values_list("school_id")
        .annotate(n=Count("pk"))
    )
    recorded = dict(
        Result.objects.filter(point=point, school__in=schools)
        .values_list("school_id")
        .annotate(n=Count("pk"))
    )
    seconds = dict(
        EntrySession.objects.filter(point=point, school__in=schools)
        .values_list("school_id")
        .annotate(s=Sum("seconds"))
    )
    return [
        CompletionRow(
            s.name,
            pupils.get(s.pk, 0) * subjects,
            recorded.get(s.pk, 0),
            "",
            (seconds.get(s.pk) or 0) / 60,
        )
        for s in schools
    ]


def years_with_points(trust: Trust) -> list[int]:
    return list(
        CollectionPoint.objects.filter(trust=trust)
        .values_list("academic_year__start_year", flat=True)
        .distinct()
    )


def target_choices(school: School, year: AcademicYear) -> tuple[list[Subject], list[Band]]:
    """What a target can be set in: the year's subjects, on the scale of its last point (the
    school's own scale where it records on one)."""
    points = points_for(school.trust, year, school)
    if not points:
        return [], []
    last = points[-1]
    subjects: dict[int, Subject] = {}
    for point in points:
        for subject in point.subjects.all():
            subjects[subject.pk] = subject
    scale = recording_scale(last, school)
    return sorted(subjects.values(), key=lambda s: (s.position, s.name)), bands_of(scale.pk)


@dataclass
class GroupProgress:
    pupils: dict[tuple[int, int], int]  # (point, group) -> pupils the point collects for
    recorded: dict[tuple[int, int, int], int]  # (point, subject, group) -> judgements recorded


def recorded_by_group(school: School, points: Sequence[CollectionPoint]) -> GroupProgress:
    """How far each group has got with each open point, in two queries per point."""
    progress = GroupProgress({}, {})
    for point in points:
        placements = list(
            GroupPupil.objects.filter(
                group__school=school,
                group__academic_year_id=point.academic_year_id,
                ends__isnull=True,
                pupil__enrolments__school=school,
                pupil__enrolments__academic_year_id=point.academic_year_id,
                pupil__enrolments__year_group__in=point.year_groups,
            ).values_list("group_id", "pupil_id")
        )
        group_of: dict[int, list[int]] = defaultdict(list)
        for group_id, pupil_id in placements:
            progress.pupils[(point.pk, group_id)] = progress.pupils.get((point.pk, group_id), 0) + 1
            group_of[pupil_id].append(group_id)
        for subject_id, pupil_id in Result.objects.filter(point=point, school=school).values_list(
            "subject_id", "pupil_id"
        ):
            for group_id in group_of.get(pupil_id, ()):
                key = (point.pk, subject_id, group_id)
                progress.recorded[key] = progress.recorded.get(key, 0) + 1
    return progress


def attach_estimates(record: PupilRecord, estimates: dict[int, Estimate]) -> None:
    """Put each subject's estimate beside its row, adding a row for a subject with an estimate
    but no judgement yet this year."""
    for item in record.subjects:
        item.estimate = estimates.get(item.subject.pk)
    shown = {item.subject.pk for item in record.subjects}
    missing = [pk for pk in estimates if pk not in shown]
    for subject in Subject.objects.filter(pk__in=missing).order_by("position", "name"):
        record.subjects.append(
            PupilSubject(subject, [""] * len(record.points), None, "", estimates[subject.pk])
        )


@dataclass
class EntryCard:
    group: TeachingGroup
    subject: Subject
    pupils: int  # in the group and in the year groups the point collects
    recorded: int


@dataclass
class OpenCollection:
    point: CollectionPoint
    cards: list[EntryCard]


def open_collections(
    school: School,
    points: Sequence[CollectionPoint],
    groups: Sequence[TeachingGroup],
    today: dt.date,
) -> list[OpenCollection]:
    """The points open today and, for each, the groups (with pupils it collects for) and
    subjects to record, with how far along each is."""
    open_points = [p for p in points if p.opens <= today <= p.closes]
    done = recorded_by_group(school, open_points)
    found = []
    for point in open_points:
        cards = [
            EntryCard(
                group,
                subject,
                done.pupils[(point.pk, group.pk)],
                done.recorded.get((point.pk, subject.pk, group.pk), 0),
            )
            for subject in point.subjects.all()
            for group in groups
            if done.pupils.get((point.pk, group.pk))
        ]
        found.append(OpenCollection(point, cards))
    return found


def recorded_in_group(point: CollectionPoint, subject: Subject, group: TeachingGroup) -> int:
    """Judgements recorded at the point in the subject for the group's current pupils."""
    return Result.objects.filter(
        point=point,
        subject=subject,
        pupil__placements__group=group,
        pupil__placements__ends__isnull=True,
    ).count()


def track_counts(rows: Sequence[SheetRow]) -> dict[str, int]:
    """How many of the sheet's pupils are above, on and below their targets."""
    counts = {"above": 0, "on": 0, "below": 0}
    for row in rows:
        if row.track:
            counts[row.track] += 1
    return counts
