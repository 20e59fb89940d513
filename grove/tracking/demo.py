"""The demo's tracking: three years of collections for the demo trusts, with believable spread
and progress, written through the same actions as real judgements."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from grove.core.models import AcademicYear, Phase, Role, School, Term, TermName, Trust, User
from grove.pupils.codes import YEAR_GROUPS
from grove.pupils.demo import DEMO_SEED
from grove.pupils.models import (
    Characteristics,
    Enrolment,
    GroupKind,
    GroupPupil,
    GroupTeacher,
    Pupil,
    TeachingGroup,
)
from grove.tracking.actions import (
    ResultRow,
    collection_point_create,
    entry_time_add,
    results_write,
    target_set,
    tracking_setup,
)
from grove.tracking.models import Band, CollectionPoint, Scale, Subject

PRIMARY_SUBJECTS = ("reading", "writing", "maths")
SECONDARY_SUBJECTS = ("english", "maths", "science")
PRIMARY_YEARS = ("1", "2", "3", "4", "5", "6")
SECONDARY_YEARS = ("7", "8", "9", "10", "11")
# Where a pupil stands against the year's expectations moves up through the year: the same
# pupil is judged nearer the standard in summer than in autumn.
PROGRESS = {TermName.AUTUMN: -0.35, TermName.SPRING: -0.1, TermName.SUMMER: 0.15}
# Teacher assessment: the lowest score (in pupil standard deviations) for each band.
TA_CUTS = (
    ("GDS", 1.05), ("EXS", -0.5), ("WTS", -1.6), ("PK6", -2.0), ("PK5", -2.4), ("PK4", -2.8),
    ("PK3", -3.2), ("PK2", -3.6), ("PK1", -99.0),
)  # fmt: skip
# Share of the current open collection's classes that have already entered their judgements.
OPEN_POINT_DONE = 0.6
TARGETS_PER_TRUST = 24


def seed_tracking(*, trusts: Sequence[Trust], today: dt.date) -> None:
    """Add three years of tracking to each demo trust (found by pupils.demo, which builds the
    trusts first). Only collections whose window has opened by ``today`` hold judgements."""
    for offset, trust in enumerate(sorted(trusts, key=lambda t: t.name)):
        _TrustSeeder(trust, today, random.Random(DEMO_SEED + 7 + offset)).build()


def _year_number(code: str) -> int:
    return {"N1": -2, "N2": -1, "R": 0}.get(code, 0) if not code.isdigit() else int(code)


def _year_code(number: int) -> str:
    return "R" if number == 0 else str(number)


@dataclass(frozen=True)
class _Termly:
    """A collection the demo trust runs every term."""

    name: str
    years: tuple[str, ...]
    subjects: tuple[str, ...]
    scale: str
    purpose: str
    used_by: str
    minutes: Decimal
    kind: str
    over_cap_reason: str = ""


TERMLY = (
    _Termly(
        name="teacher assessment",
        years=PRIMARY_YEARS,
        subjects=PRIMARY_SUBJECTS,
        scale="teacher_assessment",
        purpose=(
            "Find the pupils who need catching up before the next term's teaching "
            "plans are made, and check the curriculum is landing in every class."
        ),
        used_by="Class teachers, then heads and the trust's school improvement team",
        minutes=Decimal("1.5"),
        kind="ta",
    ),
    _Termly(
        name="subject grades (secondary)",
        years=SECONDARY_YEARS,
        subjects=SECONDARY_SUBJECTS,
        scale="gcse",
        purpose=(
            "Show each department which pupils are behind in the core subjects, "
            "so that support is planned before the next unit."
        ),
        used_by="Subject teachers and heads of department, then senior leaders",
        minutes=Decimal("1.0"),
        kind="gcse",
        over_cap_reason=(
            "This is the secondary phase's own termly collection: the cap counts "
            "every trust-wide collection in every school, but no pupil is "
            "assessed more than three times a year."
        ),
    ),
)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class _Group:
    school_id: int
    name: str
    kind: str
    teachers: list[int] = field(default_factory=list)
    pupils: list[int] = field(default_factory=list)
    year_groups: set[str] = field(default_factory=set)
    pk: int = 0


@dataclass
class _PointPlan:
    point: CollectionPoint
    term: str
    subjects: list[Subject]
    scale_key: str


class _TrustSeeder:
    def __init__(self, trust: Trust, today: dt.date, rng: random.Random) -> None:
        self.trust = trust
        self.today = today
        self.rng = rng
        self.start = AcademicYear.start_year_for(today)
        self.years = {
            y: AcademicYear.objects.get_or_create(start_year=y)[0]
            for y in range(self.start - 2, self.start + 1)
        }
        self.schools = {s.pk: s for s in School.objects.filter(trust=trust)}
        lead = (
            User.objects.filter(
                memberships__trust=trust,
                memberships__role__in=[Role.TRUST_DATA_LEAD, Role.TRUST_LEADER],
            ).first()
            or User.objects.filter(
                memberships__trust=trust, memberships__role=Role.HEADTEACHER
            ).first()
        )
        assert lead is not None, f"{trust} has no leader to set up tracking"
        self.lead = lead
        # pupil -> year -> (school id, year group)
        self.enrolled: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
        # year -> class groups
        self.groups: dict[int, list[_Group]] = {}

    @transaction.atomic
    def build(self) -> None:
        tracking_setup(actor=self.lead, trust=self.trust)
        self._current_groups()
        self._earlier_years()
        plans = self._calendar()
        self._results(plans)
        self._targets()

    # --- who was where ---
    def _current_groups(self) -> None:
        year = self.years[self.start]
        for pupil_id, school_id, code in Enrolment.objects.filter(
            trust=self.trust, academic_year=year
        ).values_list("pupil_id", "school_id", "year_group"):
            self.enrolled[pupil_id][self.start] = (school_id, code)
        groups = {
            g.pk: _Group(g.school_id, g.name, g.kind, pk=g.pk)
            for g in TeachingGroup.objects.filter(
                trust=self.trust, academic_year=year, kind=GroupKind.CLASS
            )
        }
        for group_id, user_id in GroupTeacher.objects.filter(group_id__in=groups).values_list(
            "group_id", "user_id"
        ):
            groups[group_id].teachers.append(user_id)
        for group_id, pupil_id in GroupPupil.objects.filter(
            group_id__in=groups, ends__isnull=True
        ).values_list("group_id", "pupil_id"):
            groups[group_id].pupils.append(pupil_id)
            groups[group_id].year_groups.add(self.enrolled[pupil_id][self.start][1])
        self.groups[self.start] = list(groups.values())

    def _earlier_years(self) -> None:
        """Enrol each pupil one and two years back, a year group lower, in the class that leads
        to this year's; the secondary's younger pupils were in the trust's primaries if their
        UPN says so. Pupils who have left since are not in the demo."""
        current = self.groups[self.start]
        by_name = {(g.school_id, g.name): g for g in current}
        feeders = {
            f"{s.la_code}{s.establishment_number}": s
            for s in self.schools.values()
            if s.phase == Phase.PRIMARY
        }
        forms: dict[int, list[str]] = defaultdict(list)
        for g in current:
            if self.schools[g.school_id].phase == Phase.PRIMARY:
                form = g.name.rsplit(" ", 1)[-1]
                if form not in forms[g.school_id]:
                    forms[g.school_id].append(form)
        labels = dict(YEAR_GROUPS)
        upns = dict(Pupil.objects.filter(trust=self.trust).values_list("pk", "upn"))
        terms = {
            t.academic_year.start_year: t.ends
            for t in Term.objects.filter(trust=self.trust, name=TermName.SUMMER).select_related(
                "academic_year"
            )
        }
        for back in (1, 2):
            year = self.start - back
            made: dict[tuple[int, str], _Group] = {}
            turn = 0
            for group in current:
                school = self.schools[group.school_id]
                for pupil_id in group.pupils:
                    number = _year_number(self.enrolled[pupil_id][self.start][1]) - back
                    if number < 0:
                        continue
                    code = _year_code(number)
                    if school.phase == Phase.SECONDARY and number <= 6:
                        feeder = feeders.get(upns[pupil_id][1:8])
                        if feeder is None:
                            continue
                        turn += 1
                        form = forms[feeder.pk][turn % len(forms[feeder.pk])]
                        where, name = feeder, f"{labels[code]} {form}"
                    elif school.phase == Phase.PRIMARY:
                        where, name = school, f"{labels[code]} {group.name.rsplit(' ', 1)[-1]}"
                    elif school.phase == Phase.SECONDARY:
                        where, name = school, f"{number}{group.name[-1]}"
                    else:  # a special school's classes keep their names
                        where, name = school, group.name
                    made_group = made.get((where.pk, name))
                    if made_group is None:
                        # The class's teacher then is the one who teaches that class now.
                        same = by_name.get((where.pk, name))
                        made_group = made[(where.pk, name)] = _Group(
                            where.pk, name, GroupKind.CLASS, list(same.teachers) if same else []
                        )
                    made_group.pupils.append(pupil_id)
                    made_group.year_groups.add(code)
                    self.enrolled[pupil_id][year] = (where.pk, code)
            self.groups[year] = list(made.values())
            starts = dt.date(year, 9, 1)
            ends = terms.get(year, dt.date(year + 1, 7, 22))
            Enrolment.objects.bulk_create(
                Enrolment(
                    trust=self.trust,
                    pupil_id=pupil_id,
                    school_id=years[year][0],
                    academic_year=self.years[year],
                    year_group=years[year][1],
                    starts=starts,
                    ends=ends,
                )
                for pupil_id, years in self.enrolled.items()
                if year in years
            )
            saved = TeachingGroup.objects.bulk_create(
                TeachingGroup(
                    trust=self.trust,
                    school_id=g.school_id,
                    academic_year=self.years[year],
                    name=g.name,
                    kind=GroupKind.CLASS,
                    year_groups=sorted(g.year_groups, key=_year_number),
                )
                for g in self.groups[year]
            )
            for g, row in zip(self.groups[year], saved, strict=True):
                g.pk = row.pk
            GroupTeacher.objects.bulk_create(
                GroupTeacher(trust=self.trust, group_id=g.pk, user_id=user_id)
                for g in self.groups[year]
                for user_id in g.teachers
            )
            GroupPupil.objects.bulk_create(
                GroupPupil(trust=self.trust, group_id=g.pk, pupil_id=p, starts=starts, ends=ends)
                for g in self.groups[year]
                for p in g.pupils
            )

    # --- the calendar ---
    def _calendar(self) -> list[_PointPlan]:
        scales = {s.builtin_key: s for s in Scale.objects.filter(trust=self.trust, school=None)}
        subjects = {s.code: s for s in Subject.objects.filter(trust=self.trust)}
        phases = {s.phase for s in self.schools.values()}
        has_secondary = bool(phases & {Phase.SECONDARY, Phase.SPECIAL})
        plans: list[_PointPlan] = []
        for start in sorted(self.years):
            year = self.years[start]
            windows = {
                TermName.AUTUMN: (_monday(dt.date(start, 11, 16)), 18),
                TermName.SPRING: (_monday(dt.date(start + 1, 3, 9)), 11),
                TermName.SUMMER: (_monday(dt.date(start + 1, 6, 15)), 18),
            }
            if start == self.start:
                # Whatever the date the demo is built, this term's collection is open now, so
                # there is always a class to record for.
                term = (
                    TermName.AUTUMN
                    if self.today.month >= 9
                    else TermName.SPRING
                    if self.today.month <= 4
                    else TermName.SUMMER
                )
                opens = max(year.starts, self.today - dt.timedelta(days=5))
                windows[term] = (opens, min(18, (year.ends - opens).days))
            # Primary collections first: they are the three the cap allows.
            for spec in TERMLY if has_secondary else TERMLY[:1]:
                for term, (opens, days) in windows.items():
                    point = collection_point_create(
                        actor=self.lead,
                        trust=self.trust,
                        school=None,
                        academic_year=year,
                        name=f"{term.label} {spec.name}",
                        opens=opens,
                        closes=opens + dt.timedelta(days=days),
                        year_groups=list(spec.years),
                        subjects=[subjects[c] for c in spec.subjects],
                        scale=scales[spec.scale],
                        purpose=spec.purpose,
                        used_by=spec.used_by,
                        minutes_per_pupil=spec.minutes,
                        over_cap_reason=spec.over_cap_reason,
                    )
                    plans.append(_PointPlan(point, term, list(point.subjects.all()), spec.kind))
            if start < self.start:
                opens = _monday(dt.date(start + 1, 7, 6))
                point = collection_point_create(
                    actor=self.lead,
                    trust=self.trust,
                    school=None,
                    academic_year=year,
                    name="Key stage 2 test results",
                    opens=opens,
                    closes=opens + dt.timedelta(days=4),
                    year_groups=["6"],
                    subjects=[subjects["reading"], subjects["maths"]],
                    scale=scales["ks2_scaled"],
                    purpose=(
                        "Keep the statutory results with each pupil's record, as the starting "
                        "point for secondary estimates and for next year's planning."
                    ),
                    used_by="Year 6 teachers, the secondary's Year 7 team, the trust",
                    minutes_per_pupil=Decimal("0.1"),
                    over_cap_reason=(
                        "Statutory results returned by the DfE in July and imported from the "
                        "results file: no teacher enters them."
                    ),
                )
                plans.append(_PointPlan(point, TermName.SUMMER, list(point.subjects.all()), "ks2"))
        return plans

    # --- judgements ---
    def _results(self, plans: list[_PointPlan]) -> None:
        rng = self.rng
        pupils = list(self.enrolled)
        chars = {
            pid: (pp, sen)
            for pid, pp, sen in Characteristics.objects.filter(
                trust=self.trust, valid_to__isnull=True
            ).values_list("pupil_id", "pupil_premium", "sen_provision")
        }
        school_shift = {pk: rng.gauss(0, 0.15) for pk in self.schools}
        special = {pk for pk, s in self.schools.items() if s.phase == Phase.SPECIAL}
        # A latent attainment per pupil, lower on average for pupil premium and SEN pupils
        # (as in national figures), then per subject and per year a little of its own.
        base: dict[int, float] = {}
        for pid in pupils:
            pp, sen = chars.get(pid, (False, "N"))
            school_id = self.enrolled[pid][max(self.enrolled[pid])][0]
            shift = -0.3 * pp + {"K": -0.7, "E": -1.7}.get(sen, 0.0)
            if school_id in special:
                shift = -3.0 if sen == "E" else -2.0
            base[pid] = rng.gauss(0, 0.85) + shift
        subject_codes = sorted({s.code for p in plans for s in p.subjects})
        own: dict[tuple[int, str], float] = {
            (pid, code): base[pid] + rng.gauss(0, 0.4) for pid in pupils for code in subject_codes
        }
        yearly: dict[tuple[int, str, int], float] = {}

        bands: dict[int, dict[str, Band]] = defaultdict(dict)
        for band in Band.objects.filter(scale__trust=self.trust, scale__school=None):
            bands[band.scale_id][band.code] = band
        users = User.objects.in_bulk(
            {u for y in self.groups.values() for g in y for u in g.teachers}
        )
        for plan in plans:
            point = plan.point
            year = point.academic_year.start_year
            if point.opens > self.today:
                continue
            open_now = point.closes >= self.today
            for group in self.groups[year]:
                if not group.teachers:
                    continue
                if open_now and rng.random() > OPEN_POINT_DONE:
                    continue
                rows: list[ResultRow] = []
                for pid in group.pupils:
                    school_id, code = self.enrolled[pid][year]
                    if code not in point.year_groups or school_id != group.school_id:
                        continue
                    for subject in plan.subjects:
                        key = (pid, subject.code, year)
                        if key not in yearly:
                            yearly[key] = (
                                own[(pid, subject.code)]
                                + rng.gauss(0, 0.2)
                                + school_shift[school_id]
                                + 0.05 * (year - self.start)
                            )
                        score = yearly[key] + PROGRESS[TermName(plan.term)] + rng.gauss(0, 0.2)
                        row = self._row(plan, point, subject, pid, school_id, code, score, bands)
                        if row is not None:
                            rows.append(row)
                if not rows:
                    continue
                teacher = users[group.teachers[0]]
                if plan.scale_key == "ks2":
                    results_write(
                        actor=self.lead,
                        trust=self.trust,
                        rows=rows,
                        audit_summary=f"Imported {point.name} for {group.name}",
                    )
                    continue
                results_write(
                    actor=teacher,
                    trust=self.trust,
                    rows=rows,
                    audit_summary=f"Recorded judgements for {group.name} at {point.name}",
                )
                for subject in plan.subjects:
                    size = sum(1 for r in rows if r.subject_id == subject.pk)
                    if not size:
                        continue
                    # One to four minutes for a class of thirty, as teachers report.
                    seconds = round(size / 30 * rng.uniform(60, 240))
                    entry_time_add(
                        actor=teacher,
                        point=point,
                        subject=subject,
                        group=TeachingGroup(
                            pk=group.pk, trust_id=self.trust.pk, school_id=group.school_id
                        ),
                        seconds=seconds,
                        saves=rng.randint(1, 3),
                    )

    def _row(
        self,
        plan: _PointPlan,
        point: CollectionPoint,
        subject: Subject,
        pupil_id: int,
        school_id: int,
        code: str,
        score: float,
        bands: dict[int, dict[str, Band]],
    ) -> ResultRow | None:
        scale = bands[point.scale_id]
        if plan.scale_key == "ta":
            band = next(scale[c] for c, cut in TA_CUTS if score >= cut)
            return ResultRow(point.pk, subject.pk, pupil_id, school_id, code, band)
        if plan.scale_key == "gcse":
            # A working-at grade: younger pupils stand lower on the GCSE scale.
            grade = round(4.8 + 1.7 * score - 0.3 * (11 - int(code)))
            grade = min(9, max(0, grade))
            band = scale["U" if grade == 0 else str(grade)]
            return ResultRow(point.pk, subject.pk, pupil_id, school_id, code, band)
        # Key stage 2: pupils working below the tests' standard do not sit them.
        if score < -1.6:
            return None
        value = float(min(120, max(80, round(102 + 6.5 * score))))
        band = scale["HS"] if value >= 110 else scale["EXS"] if value >= 100 else scale["BLW"]
        return ResultRow(point.pk, subject.pk, pupil_id, school_id, code, band, value)

    # --- a few targets ---
    def _targets(self) -> None:
        year = self.years[self.start]
        maths = Subject.objects.get(trust=self.trust, code="maths")
        ta = Scale.objects.get(trust=self.trust, school=None, builtin_key="teacher_assessment")
        exs, gds = Band.objects.get(scale=ta, code="EXS"), Band.objects.get(scale=ta, code="GDS")
        year6 = [g for g in self.groups[self.start] if g.year_groups == {"6"} and g.teachers][:2]
        pupils = {p.pk: p for p in Pupil.objects.filter(trust=self.trust)}
        for group in year6:
            teacher = User.objects.get(pk=group.teachers[0])
            school = self.schools[group.school_id]
            for pid in self.rng.sample(group.pupils, min(len(group.pupils), 12)):
                target_set(
                    actor=teacher,
                    school=school,
                    pupil=pupils[pid],
                    subject=maths,
                    academic_year=year,
                    band=gds if self.rng.random() < 0.3 else exs,
                )
