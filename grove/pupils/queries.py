"""Reads for pupils: the pupil list, profiles, group pages and the school and trust overviews."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet

from grove.core.models import AcademicYear, Role, School, Trust, User
from grove.pupils.codes import YEAR_GROUP_ORDER, YEAR_GROUPS
from grove.pupils.models import Characteristics, Enrolment, GroupPupil, Pupil, TeachingGroup

# Filters a pupil list may apply to the current characteristics record.
CHARACTERISTIC_FILTERS: dict[str, tuple[str, Q]] = {
    "pp": ("Pupil premium", Q(characteristics__pupil_premium=True)),
    "fsm": ("Free school meals", Q(characteristics__fsm=True)),
    "sen_k": ("SEN support (K)", Q(characteristics__sen_provision="K")),
    "sen_e": ("EHC plan (E)", Q(characteristics__sen_provision="E")),
    "sen_any": ("Any SEN (K or E)", Q(characteristics__sen_provision__in=["K", "E"])),
    "eal": ("EAL", Q(characteristics__eal=True)),
    "lac": ("Looked after", Q(characteristics__looked_after=True)),
    "plac": ("Previously looked after", Q(characteristics__previously_looked_after=True)),
    "service": ("Service child", Q(characteristics__service_child=True)),
}

# For those who see no names, counts are rounded to the nearest 5 and counts below 5 are shown
# as "fewer than 5": rounding every cell, totals included, means a hidden cell cannot be worked
# out by subtracting the others from the total.
SMALL_NUMBER = 5


def pupil_list(
    *,
    school: School,
    year: AcademicYear,
    text: str = "",
    year_group: str = "",
    characteristic: str = "",
    only_ids: set[int] | None = None,
) -> QuerySet[Pupil]:
    """Pupils on the school's roll this year, with their year group, current characteristics
    and current groups, in a fixed number of queries however many there are."""
    pupils = Pupil.objects.filter(
        trust_id=school.trust_id, enrolments__school=school, enrolments__academic_year=year
    ).annotate(year_group=F("enrolments__year_group"))
    if text:
        words = text.split()
        for word in words:
            pupils = pupils.filter(
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_first_name__icontains=word)
                | Q(preferred_last_name__icontains=word)
                | Q(upn__iexact=word)
            )
    if year_group:
        pupils = pupils.filter(enrolments__year_group=year_group)
    if characteristic in CHARACTERISTIC_FILTERS:
        pupils = pupils.filter(
            CHARACTERISTIC_FILTERS[characteristic][1], characteristics__valid_to__isnull=True
        )
    if only_ids is not None:
        pupils = pupils.filter(pk__in=only_ids)
    return pupils.prefetch_related(
        Prefetch(
            "characteristics",
            queryset=Characteristics.objects.filter(valid_to__isnull=True),
            to_attr="current_characteristics",
        ),
        Prefetch(
            "placements",
            queryset=GroupPupil.objects.filter(
                ends__isnull=True, group__school=school, group__academic_year=year
            ).select_related("group"),
            to_attr="current_placements",
        ),
    ).order_by("legal_last_name", "legal_first_name", "id")


@dataclass
class YearGroupRow:
    code: str
    label: str
    pupils: int = 0
    girls: int = 0
    pupil_premium: int = 0
    sen_support: int = 0
    ehc_plan: int = 0
    eal: int = 0


def _suppress(value: int, names_visible: bool) -> int | str:
    if names_visible or value == 0:
        return value
    if value < SMALL_NUMBER:
        return f"fewer than {SMALL_NUMBER}"
    return SMALL_NUMBER * round(value / SMALL_NUMBER)


def _thousands(value: int | str) -> str:
    return f"{value:,}" if isinstance(value, int) else value


@dataclass
class SchoolSummary:
    rows: list[YearGroupRow] = field(default_factory=list)
    total: YearGroupRow = field(default_factory=lambda: YearGroupRow("all", "All pupils"))
    groups: int = 0
    staff: int = 0

    def percent(self, value: int) -> str:
        return f"{round(100 * value / self.total.pupils)}%" if self.total.pupils else "–"

    def cards(self, names_visible: bool = True) -> list[tuple[str, str]]:
        """The headline figures. Without names, a share resting on fewer than 5 pupils is not
        given, and the roll is rounded like every other count."""

        def share(value: int) -> str:
            if not names_visible and 0 < value < SMALL_NUMBER:
                return f"fewer than {SMALL_NUMBER} pupils"
            return self.percent(value)

        total = self.total
        return [
            (_thousands(_suppress(total.pupils, names_visible)), "pupils on roll"),
            (share(total.pupil_premium), "pupil premium"),
            (share(total.sen_support), "SEN support (K)"),
            (share(total.ehc_plan), "EHC plan (E)"),
            (share(total.eal), "English as an additional language"),
            (f"{self.groups:,}", "teaching groups"),
        ]


_AGGREGATES = {
    "pupils": Count("pupil_id", distinct=True),
    "girls": Count("pupil_id", filter=Q(pupil__sex="F"), distinct=True),
    "pupil_premium": Count(
        "pupil_id", filter=Q(pupil__characteristics__pupil_premium=True), distinct=True
    ),
    "sen_support": Count(
        "pupil_id", filter=Q(pupil__characteristics__sen_provision="K"), distinct=True
    ),
    "ehc_plan": Count(
        "pupil_id", filter=Q(pupil__characteristics__sen_provision="E"), distinct=True
    ),
    "eal": Count("pupil_id", filter=Q(pupil__characteristics__eal=True), distinct=True),
}


def _current_enrolments(year: AcademicYear) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        academic_year=year, pupil__characteristics__valid_to__isnull=True
    )


def school_summary(school: School, year: AcademicYear) -> SchoolSummary:
    """Pupils on roll by year group with the main characteristics, in one query."""
    summary = SchoolSummary()
    counts = (
        _current_enrolments(year).filter(school=school).values("year_group").annotate(**_AGGREGATES)
    )
    labels = dict(YEAR_GROUPS)
    for row in sorted(counts, key=lambda r: YEAR_GROUP_ORDER[r["year_group"]]):
        line = YearGroupRow(code=row["year_group"], label=labels[row["year_group"]])
        for name in _AGGREGATES:
            setattr(line, name, row[name])
            setattr(summary.total, name, getattr(summary.total, name) + row[name])
        summary.rows.append(line)
    summary.groups = TeachingGroup.objects.filter(school=school, academic_year=year).count()
    return summary


def suppressed(summary: SchoolSummary, names_visible: bool) -> list[dict[str, int | str]]:
    """The summary's rows as shown to the viewer: small counts hidden when names are not seen."""
    rows: list[dict[str, int | str]] = []
    for line in [*summary.rows, summary.total]:
        row: dict[str, int | str] = {"label": line.label, "code": line.code}
        for name in _AGGREGATES:
            row[name] = _suppress(getattr(line, name), names_visible)
        rows.append(row)
    return rows


@dataclass
class TrustSchoolRow:
    school: School
    pupils: int
    pupil_premium: int
    sen_support: int
    ehc_plan: int
    eal: int

    def percent(self, value: int) -> str:
        return f"{round(100 * value / self.pupils)}%" if self.pupils else "–"

    @property
    def pupil_premium_pct(self) -> str:
        return self.percent(self.pupil_premium)

    @property
    def sen_support_pct(self) -> str:
        return self.percent(self.sen_support)

    @property
    def ehc_plan_pct(self) -> str:
        return self.percent(self.ehc_plan)

    @property
    def eal_pct(self) -> str:
        return self.percent(self.eal)


def trust_summary(trust: Trust, year: AcademicYear) -> list[TrustSchoolRow]:
    """One row per school of the trust, in two queries."""
    schools = {s.pk: s for s in School.objects.filter(trust=trust)}
    aggregates = {k: v for k, v in _AGGREGATES.items() if k != "girls"}
    counts = {
        row["school_id"]: row
        for row in _current_enrolments(year)
        .filter(school__trust=trust)
        .values("school_id")
        .annotate(**aggregates)
    }
    rows = []
    for school_id, school in schools.items():
        row = counts.get(school_id, {})
        rows.append(TrustSchoolRow(school, **{k: row.get(k, 0) for k in aggregates}))
    return sorted(rows, key=lambda r: r.school.name)


def group_list(school: School, year: AcademicYear) -> QuerySet[TeachingGroup]:
    return (
        TeachingGroup.objects.filter(school=school, academic_year=year)
        .annotate(pupil_count=Count("placements", filter=Q(placements__ends__isnull=True)))
        .prefetch_related("teachers")
        .order_by("name")
    )


def group_pupils(group: TeachingGroup) -> QuerySet[Pupil]:
    return (
        Pupil.objects.filter(placements__group=group, placements__ends__isnull=True)
        .annotate(year_group=F("enrolments__year_group"))
        .filter(
            enrolments__school_id=group.school_id,
            enrolments__academic_year_id=group.academic_year_id,
        )
        .order_by("legal_last_name", "legal_first_name")
    )


def pupils_to_add(group: TeachingGroup) -> QuerySet[Pupil]:
    """Pupils on roll in the group's year groups who are not in it yet."""
    candidates = Pupil.objects.filter(
        enrolments__school_id=group.school_id,
        enrolments__academic_year_id=group.academic_year_id,
    )
    if group.year_groups:
        candidates = candidates.filter(enrolments__year_group__in=group.year_groups)
    in_group = GroupPupil.objects.filter(group=group, ends__isnull=True).values("pupil_id")
    return candidates.exclude(pk__in=in_group).order_by("legal_last_name", "legal_first_name")


def pupil_enrolments(pupil: Pupil, *, visible_school_ids: set[int]) -> list[Enrolment]:
    """A pupil's enrolments, oldest first; another school's is only named to someone who may
    see that school."""
    return list(
        Enrolment.objects.filter(pupil=pupil, school_id__in=visible_school_ids)
        .select_related("school", "academic_year")
        .order_by("academic_year__start_year")
    )


def group_teacher_candidates(school: School) -> QuerySet[User]:
    """Staff of the school who can teach or support a group."""
    return (
        User.objects.filter(
            memberships__school=school,
            memberships__role__in=[
                Role.TEACHER,
                Role.TEACHING_ASSISTANT,
                Role.SUBJECT_LEADER,
                Role.SENCO,
                Role.HEADTEACHER,
                Role.SENIOR_LEADER,
            ],
        )
        .distinct()
        .order_by("family_name", "given_name")
    )
