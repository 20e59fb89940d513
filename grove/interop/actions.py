"""Every write of an import: the job and its saved column mapping, and pupils, teaching groups
and results from a file. Each import checks every row first and writes nothing if any row is
wrong; writing the same rows again changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grove.core.actions import audit_record
from grove.core.models import AcademicYear, Membership, School, User
from grove.core.queries import current_academic_year
from grove.interop import ctf as ctf_reader
from grove.interop.models import ColumnMapping, ImportJob, ImportKind, ImportStatus
from grove.interop.tabular import FIELDS, FileProblem, read_table, rows_as_dicts
from grove.pupils.actions import CharacteristicValues
from grove.pupils.codes import SEN_NEEDS, YEAR_GROUP_ORDER, validate_upn
from grove.pupils.models import (
    Characteristics,
    Enrolment,
    GroupPupil,
    GroupTeacher,
    Pupil,
    TeachingGroup,
)
from grove.tracking.actions import (
    ResultRow,
    collection_point_create,
    parse_judgement,
    results_write,
)
from grove.tracking.models import Band, CollectionPoint, Scale, Subject
from grove.tracking.queries import recording_scale

log = logging.getLogger(__name__)

# Errors kept on a job (the count is always exact); the page shows fewer still.
ERRORS_KEPT = 1000
# Files with more rows than this go to the background worker; smaller ones run at once.
BACKGROUND_ROWS = 2000
BACKGROUND_BYTES = 256 * 1024

Progress = Callable[[int], None]


# --- errors and summaries ---------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1 (0: the file as a whole)
    field: str  # the column header as it appears in the file
    message: str


class ImportRejected(Exception):
    """Some rows are wrong: nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s): nothing was imported")
        self.errors = errors


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: ImportSummary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.notes += other.notes

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Report:
    """Collects errors, naming each field by the file's own column header."""

    def __init__(self, labels: Mapping[str, str], kind: str, first_row: int) -> None:
        defaults = {f.name: f.label for f in FIELDS.get(kind, ())}
        self.labels = {**defaults, **{k: v for k, v in labels.items() if v}}
        self.first_row = first_row
        self.errors: list[RowError] = []

    def add(self, index: int, name: str, message: str) -> None:
        self.errors.append(RowError(index + self.first_row, self.labels.get(name, name), message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportRejected(self.errors)


def _progress_every(total: int, progress: Progress | None) -> Callable[[int], None]:
    step = max(500, total // 40)

    def tick(index: int) -> None:
        if progress is not None and index and index % step == 0:
            progress(index)

    return tick


def _chunks(items: Sequence[Any], size: int = 900) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _clamped_today(year: AcademicYear) -> dt.date:
    return max(year.starts, min(timezone.localdate(), year.ends))


def _year(year: AcademicYear | None) -> AcademicYear:
    year = year or current_academic_year()
    if year is None:
        raise ImportRejected([RowError(0, "", "No academic year has been set up yet.")])
    return year


def _pupil_ids(trust_id: int, upns: Sequence[str]) -> dict[str, int]:
    """UPN -> pupil id for the UPNs the trust knows."""
    wanted = set(upns)
    found: dict[str, int] = {}
    if len(wanted) > 5000:
        # A big file: one pass over the trust's pupils beats thousands of IN parameters.
        for upn, pk in Pupil.objects.filter(trust_id=trust_id).values_list("upn", "pk"):
            if upn in wanted:
                found[upn] = pk
        return found
    for chunk in _chunks(sorted(wanted)):
        found.update(
            Pupil.objects.filter(trust_id=trust_id, upn__in=chunk).values_list("upn", "pk")
        )
    return found


# --- parsing cells ----------------------------------------------------------------------------
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S")
_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0", ""}


def parse_date(text: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date: use dd/mm/yyyy, as 14/03/2016.")


def parse_bool(text: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"“{text}” is not yes or no: use Y or N.")


def parse_year_group(text: str) -> str:
    value = text.strip().upper().removeprefix("YEAR").removeprefix("NC").strip()
    value = value.removeprefix("Y").strip() if value[1:].isdigit() else value
    value = {"RECEPTION": "R", "YR": "R", "NURSERY 1": "N1", "NURSERY 2": "N2"}.get(value, value)
    value = value.lstrip("0") or value
    if value not in YEAR_GROUP_ORDER:
        raise ValueError(f"“{text}” is not a year group: use N1, N2, R or 1 to 14.")
    return value


_SEX = {"f": "F", "female": "F", "girl": "F", "m": "M", "male": "M", "boy": "M"}
_PROVISION = {
    "n": "N", "": "N", "none": "N", "no sen": "N",
    "k": "K", "sen support": "K", "e": "E", "ehc plan": "E", "ehcp": "E", "s": "E",
}  # fmt: skip
_NEEDS = {code for code, _ in SEN_NEEDS}


# --- pupils -----------------------------------------------------------------------------------
@dataclass
class _PupilPlan:
    upn: str
    temporary: bool
    names: dict[str, str]
    date_of_birth: dt.date
    sex: str
    year_group: str
    characteristics: dict[str, Any] | None  # only the fields the file gives


@dataclass
class PupilsPrepared:
    plans: list[_PupilPlan]


_NAME_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
)
_CHAR_FIELDS = ("sen_provision", "sen_primary_need", "fsm", "pupil_premium", "eal")


def pupils_check(
    *,
    school: School,
    rows: Sequence[Mapping[str, str]],
    labels: Mapping[str, str] | None = None,
    first_row: int = 2,
    progress: Progress | None = None,
) -> PupilsPrepared:
    """Check every pupil row (reads only); ImportRejected lists every problem."""
    report = _Report(labels or {}, ImportKind.PUPILS, first_row)
    tick = _progress_every(len(rows), progress)
    seen: dict[str, int] = {}
    plans: list[_PupilPlan] = []
    for i, row in enumerate(rows):
        tick(i)
        before = len(report.errors)
        upn, temporary = "", False
        try:
            upn, temporary = validate_upn(row.get("upn", ""))
        except ValueError as error:
            report.add(i, "upn", str(error))
        if upn in seen:
            report.add(i, "upn", f"{upn} is also on row {seen[upn] + first_row}: a duplicate row.")
        elif upn:
            seen[upn] = i
        names = {}
        for name in _NAME_FIELDS:
            if name not in row and not name.startswith("legal"):
                continue
            value = row.get(name, "").strip()
            if name.startswith("legal") and not value:
                report.add(i, name, "This is empty: every pupil needs a legal name.")
            elif len(value) > 100:
                report.add(i, name, "This is longer than 100 characters.")
            names[name] = value
        dob = None
        try:
            dob = parse_date(row.get("date_of_birth", ""))
            if not dt.date(1990, 1, 1) <= dob <= timezone.localdate():
                report.add(i, "date_of_birth", f"{dob:%d/%m/%Y} is not a pupil's date of birth.")
        except ValueError as error:
            report.add(i, "date_of_birth", str(error))
        sex = _SEX.get(row.get("sex", "").strip().casefold(), "")
        if not sex:
            report.add(i, "sex", f"“{row.get('sex', '')}” is not a sex: use F or M.")
        year_group = ""
        try:
            year_group = parse_year_group(row.get("year_group", ""))
        except ValueError as error:
            report.add(i, "year_group", str(error))
        chars: dict[str, Any] | None = None
        if any(name in row for name in _CHAR_FIELDS):
            chars = {}
            if "sen_provision" in row:
                provision = _PROVISION.get(row["sen_provision"].strip().casefold())
                if provision is None:
                    report.add(i, "sen_provision", f"“{row['sen_provision']}” is not N, K or E.")
                chars["sen_provision"] = provision or "N"
            if "sen_primary_need" in row:
                need = row["sen_primary_need"].strip().upper()
                if need and need not in _NEEDS:
                    report.add(i, "sen_primary_need", f"“{need}” is not a census SEN type of need.")
                chars["sen_primary_need"] = need
            for name in ("fsm", "pupil_premium", "eal"):
                if name in row:
                    try:
                        chars[name] = parse_bool(row[name])
                    except ValueError as error:
                        report.add(i, name, str(error))
        if len(report.errors) == before and dob is not None:
            plans.append(_PupilPlan(upn, temporary, names, dob, sex, year_group, chars))
    if report.errors:
        raise ImportRejected(report.errors)
    # A pupil on SEN support or with a plan needs a type of need: from the file or on record.
    ids = _pupil_ids(school.trust_id, [p.upn for p in plans])
    current = _current_characteristics(list(ids.values()))
    for i, plan in enumerate(plans):
        if plan.characteristics is None:
            continue
        merged = _merged(current.get(ids.get(plan.upn, 0)), plan.characteristics)
        if merged.sen_provision != "N" and not merged.sen_primary_need:
            report.add(
                i,
                "sen_primary_need" if "sen_primary_need" in rows[i] else "sen_provision",
                f"SEN provision {merged.sen_provision} needs a primary type of need (a census "
                "code such as SLCN): add a column for it.",
            )
    report.raise_if_any()
    return PupilsPrepared(plans)


def _current_characteristics(pupil_ids: list[int]) -> dict[int, Characteristics]:
    found: dict[int, Characteristics] = {}
    for chunk in _chunks(pupil_ids):
        for record in Characteristics.objects.filter(pupil_id__in=chunk, valid_to__isnull=True):
            found[record.pupil_id] = record
    return found


def _merged(current: Characteristics | None, given: Mapping[str, Any]) -> CharacteristicValues:
    base = (
        CharacteristicValues(
            **{name: getattr(current, name) for name in CharacteristicValues.__dataclass_fields__}
        )
        if current is not None
        else CharacteristicValues()
    )
    values = {**asdict(base), **given}
    if values["sen_provision"] == "N":
        values["sen_primary_need"] = values["sen_secondary_need"] = ""
    elif "sen_primary_need" in given and not given["sen_primary_need"]:
        values["sen_primary_need"] = base.sen_primary_need
    return CharacteristicValues(**values)


@transaction.atomic
def pupils_apply(
    *, school: School, prepared: PupilsPrepared, year: AcademicYear | None = None
) -> ImportSummary:
    """Create or update the checked pupils, their enrolment this year and their
    characteristics (a new record only when something changed). Writes no audit event: the
    caller records one for the whole import."""
    year = _year(year)
    trust_id = school.trust_id
    today = _clamped_today(year)
    summary = ImportSummary()
    ids = _pupil_ids(trust_id, [p.upn for p in prepared.plans])
    pupils: dict[int, Pupil] = {}
    for chunk in _chunks(list(ids.values())):
        pupils.update((p.pk, p) for p in Pupil.objects.filter(pk__in=chunk))
    enrolments: dict[int, Enrolment] = {}
    for chunk in _chunks(list(ids.values())):
        enrolments.update(
            (e.pupil_id, e)
            for e in Enrolment.objects.filter(school=school, academic_year=year, pupil_id__in=chunk)
        )
    current = _current_characteristics(list(ids.values()))

    new_pupils = [
        Pupil(
            trust_id=trust_id,
            upn=plan.upn,
            upn_is_temporary=plan.temporary,
            date_of_birth=plan.date_of_birth,
            sex=plan.sex,
            **{name: plan.names.get(name, "") for name in _NAME_FIELDS},
        )
        for plan in prepared.plans
        if plan.upn not in ids
    ]
    for pupil in new_pupils:
        pupil.full_clean(validate_unique=False, validate_constraints=False)
    Pupil.objects.bulk_create(new_pupils, batch_size=500)
    for pupil in new_pupils:
        ids[pupil.upn] = pupil.pk
    new_enrolments: list[Enrolment] = []
    changed_enrolments: list[Enrolment] = []
    new_records: list[Characteristics] = []
    closed: list[Characteristics] = []
    changed_records: list[Characteristics] = []
    changed_pupils: list[Pupil] = []
    for plan in prepared.plans:
        pupil_id = ids[plan.upn]
        existing = pupils.get(pupil_id)
        touched = False
        if existing is not None:
            wanted = {**plan.names, "date_of_birth": plan.date_of_birth, "sex": plan.sex}
            if any(getattr(existing, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(existing, k, v)
                changed_pupils.append(existing)
                touched = True
        enrolment = enrolments.get(pupil_id)
        if enrolment is None:
            new_enrolments.append(
                Enrolment(
                    trust_id=trust_id,
                    pupil_id=pupil_id,
                    school=school,
                    academic_year=year,
                    year_group=plan.year_group,
                    starts=today,
                )
            )
            touched = existing is not None or touched
        elif enrolment.year_group != plan.year_group:
            enrolment.year_group = plan.year_group
            changed_enrolments.append(enrolment)
            touched = True
        record = current.get(pupil_id)
        if record is None or plan.characteristics is not None:
            values = _merged(record, plan.characteristics or {})
            if record is None:
                new_records.append(
                    Characteristics(
                        trust_id=trust_id, pupil_id=pupil_id, valid_from=today, **asdict(values)
                    )
                )
            elif values != _merged(record, {}):
                touched = True
                if record.valid_from < today:
                    record.valid_to = today - dt.timedelta(days=1)
                    closed.append(record)
                    new_records.append(
                        Characteristics(
                            trust_id=trust_id,
                            pupil_id=pupil_id,
                            valid_from=today,
                            **asdict(values),
                        )
                    )
                else:
                    # Changed again on the day it was recorded: correct that record.
                    for k, v in asdict(values).items():
                        setattr(record, k, v)
                    changed_records.append(record)
        if existing is None:
            summary.created += 1
        elif touched:
            summary.updated += 1
        else:
            summary.unchanged += 1
    if changed_pupils:
        Pupil.objects.bulk_update(
            changed_pupils, [*_NAME_FIELDS, "date_of_birth", "sex"], batch_size=500
        )
    Enrolment.objects.bulk_create(new_enrolments, batch_size=500)
    if changed_enrolments:
        Enrolment.objects.bulk_update(changed_enrolments, ["year_group"], batch_size=500)
    if closed:
        Characteristics.objects.bulk_update(closed, ["valid_to"], batch_size=500)
    if changed_records:
        Characteristics.objects.bulk_update(
            changed_records, list(CharacteristicValues.__dataclass_fields__), batch_size=500
        )
    Characteristics.objects.bulk_create(new_records, batch_size=500)
    return summary


# --- teaching groups --------------------------------------------------------------------------
@dataclass
class GroupsPrepared:
    # group name -> (subject, pupil ids, teacher ids, year groups)
    groups: dict[str, tuple[str, set[int], set[int], set[str]]]


def groups_check(
    *,
    school: School,
    rows: Sequence[Mapping[str, str]],
    labels: Mapping[str, str] | None = None,
    first_row: int = 2,
    progress: Progress | None = None,
    year: AcademicYear | None = None,
) -> GroupsPrepared:
    year = _year(year)
    report = _Report(labels or {}, ImportKind.GROUPS, first_row)
    tick = _progress_every(len(rows), progress)
    upns = [row.get("upn", "").strip().upper() for row in rows]
    ids = _pupil_ids(school.trust_id, upns)
    enrolled: dict[int, str] = {}
    for chunk in _chunks(list(ids.values())):
        enrolled.update(
            Enrolment.objects.filter(
                school=school, academic_year=year, pupil_id__in=chunk
            ).values_list("pupil_id", "year_group")
        )
    staff = {
        email.casefold(): user_id
        for email, user_id in Membership.objects.filter(
            Q(school=school) | Q(school__isnull=True, trust_id=school.trust_id)
        ).values_list("user__email", "user_id")
    }
    groups: dict[str, tuple[str, set[int], set[int], set[str]]] = {}
    seen: dict[tuple[str, int], int] = {}
    for i, row in enumerate(rows):
        tick(i)
        name = " ".join(row.get("group", "").split())
        if not name:
            report.add(i, "group", "This is empty: name the group.")
        elif len(name) > 100:
            report.add(i, "group", "A group name has at most 100 characters.")
        pupil_id = ids.get(upns[i])
        if pupil_id is None:
            report.add(i, "upn", f"No pupil in {school.trust.name} has the UPN “{upns[i]}”.")
        elif pupil_id not in enrolled:
            report.add(i, "upn", f"{upns[i]} is not on {school.name}'s roll in {year}.")
        email = row.get("teacher_email", "").strip().casefold()
        teacher_id = staff.get(email) if email else None
        if email and teacher_id is None:
            report.add(i, "teacher_email", f"Nobody with the email {email} works at {school.name}.")
        subject = row.get("subject", "").strip()
        if not name or pupil_id is None:
            continue
        key = (name.casefold(), pupil_id)
        if key in seen:
            report.add(
                i, "upn", f"{upns[i]} is in {name} on row {seen[key] + first_row} too: a duplicate."
            )
            continue
        seen[key] = i
        entry = groups.setdefault(name, (subject, set(), set(), set()))
        if subject and entry[0] and subject != entry[0]:
            report.add(i, "subject", f"{name} is given the subject “{entry[0]}” on another row.")
        elif subject and not entry[0]:
            entry = groups[name] = (subject, entry[1], entry[2], entry[3])
        entry[1].add(pupil_id)
        if teacher_id is not None:
            entry[2].add(teacher_id)
        if pupil_id in enrolled:
            entry[3].add(enrolled[pupil_id])
    report.raise_if_any()
    return GroupsPrepared(groups)


@transaction.atomic
def groups_apply(
    *, school: School, prepared: GroupsPrepared, year: AcademicYear | None = None
) -> ImportSummary:
    """Create missing groups, and add the pupils and teachers they lack. Nobody is taken out
    of a group: leaving is recorded on the group's page."""
    year = _year(year)
    today = _clamped_today(year)
    trust_id = school.trust_id
    summary = ImportSummary()
    existing = {
        g.name.casefold(): g
        for g in TeachingGroup.objects.filter(school=school, academic_year=year)
    }
    created = []
    for name, (subject, _, _, years) in prepared.groups.items():
        if name.casefold() not in existing:
            group = TeachingGroup(
                trust_id=trust_id, school=school, academic_year=year, name=name,
                year_groups=sorted(years, key=YEAR_GROUP_ORDER.__getitem__), subject=subject,
            )  # fmt: skip
            created.append(group)
    TeachingGroup.objects.bulk_create(created)
    existing.update((g.name.casefold(), g) for g in created)
    if created:
        summary.notes.append(
            f"Created {len(created)} group(s): " + ", ".join(g.name for g in created)
        )
    group_ids = [g.pk for g in existing.values()]
    placed = set(
        GroupPupil.objects.filter(group_id__in=group_ids, ends__isnull=True).values_list(
            "group_id", "pupil_id"
        )
    )
    teaching = set(
        GroupTeacher.objects.filter(group_id__in=group_ids).values_list("group_id", "user_id")
    )
    placements, teachers, widened = [], [], []
    for name, (_, pupil_ids, teacher_ids, years) in prepared.groups.items():
        group = existing[name.casefold()]
        for pupil_id in sorted(pupil_ids):
            if (group.pk, pupil_id) in placed:
                summary.unchanged += 1
            else:
                placements.append(
                    GroupPupil(trust_id=trust_id, group=group, pupil_id=pupil_id, starts=today)
                )
                summary.created += 1
        teachers += [
            GroupTeacher(trust_id=trust_id, group=group, user_id=user_id)
            for user_id in sorted(teacher_ids)
            if (group.pk, user_id) not in teaching
        ]
        if not years <= set(group.year_groups):
            group.year_groups = sorted(
                years | set(group.year_groups), key=lambda c: YEAR_GROUP_ORDER.get(c, 99)
            )
            widened.append(group)
    GroupPupil.objects.bulk_create(placements, batch_size=500)
    GroupTeacher.objects.bulk_create(teachers, batch_size=500)
    if widened:
        TeachingGroup.objects.bulk_update(widened, ["year_groups"])
    if teachers:
        summary.notes.append(f"Added {len(teachers)} teacher(s) to groups.")
    return summary


# --- results ----------------------------------------------------------------------------------
@dataclass
class _PointInfo:
    point: CollectionPoint
    scale: Scale
    bands: list[Band]
    by_code: dict[str, Band]
    subjects: set[int]


@dataclass
class ResultsPrepared:
    rows: list[ResultRow]
    skipped: int = 0


def _points_by_name(school: School) -> dict[str, list[CollectionPoint]]:
    found: dict[str, list[CollectionPoint]] = defaultdict(list)
    points = CollectionPoint.objects.filter(
        Q(school__isnull=True) | Q(school=school), trust_id=school.trust_id
    ).select_related("academic_year")
    for point in points:
        found[point.name.casefold()].append(point)
        found[str(point).casefold()].append(point)
    return found


def results_check(
    *,
    school: School,
    rows: Sequence[Mapping[str, str]],
    labels: Mapping[str, str] | None = None,
    first_row: int = 2,
    progress: Progress | None = None,
) -> ResultsPrepared:
    """Check every result row (reads only, a fixed number of queries whatever the file's size);
    ImportRejected lists every problem."""
    report = _Report(labels or {}, ImportKind.RESULTS, first_row)
    today = timezone.localdate()
    trust = school.trust
    subjects: dict[str, Subject] = {}
    for known in Subject.objects.filter(trust_id=school.trust_id):
        subjects[known.code.casefold()] = known
        subjects[known.name.casefold()] = known
    points = _points_by_name(school)
    collected: dict[int, set[int]] = defaultdict(set)
    through = CollectionPoint.subjects.through
    for point_id, subject_id in through.objects.filter(
        collectionpoint__trust_id=school.trust_id
    ).values_list("collectionpoint_id", "subject_id"):
        collected[point_id].add(subject_id)
    infos: dict[int, _PointInfo] = {}

    def info_for(point: CollectionPoint) -> _PointInfo:
        info = infos.get(point.pk)
        if info is None:
            scale = recording_scale(point, school)
            bands = list(Band.objects.filter(scale=scale).order_by("value"))
            info = infos[point.pk] = _PointInfo(
                point, scale, bands, {b.code.casefold(): b for b in bands}, collected[point.pk]
            )
        return info

    # What a (subject, point) pair of cells stands for, worked out once per distinct pair: a
    # file repeats a handful of them over thousands of rows.
    Pair = tuple[Subject | None, _PointInfo | None, list[tuple[str, str]]]
    pairs: dict[tuple[str, str], Pair] = {}

    def pair_for(subject_text: str, point_text: str) -> Pair:
        problems: list[tuple[str, str]] = []
        subject = subjects.get(subject_text.strip().casefold())
        if subject is None:
            problems.append(
                ("subject", f"“{subject_text.strip()}” is not one of the trust's subjects.")
            )
        name = " ".join(point_text.split())
        candidates = points.get(name.casefold(), [])
        if not candidates:
            problems.append(("point", f"{school.name} has no collection point “{name}”."))
            return subject, None, problems
        if len(candidates) > 1:
            problems.append(
                (
                    "point",
                    f"Several collection points are called “{name}”: add the year, as "
                    f"“{candidates[0]}”.",
                )
            )
            return subject, None, problems
        point = candidates[0]
        if point.opens > today:
            problems.append(
                (
                    "point",
                    f"{point.name} opens on {point.opens:%-d %B %Y}: results can't be imported "
                    "before its window opens.",
                )
            )
        info = info_for(point)
        if subject is not None and subject.pk not in info.subjects:
            problems.append(("subject", f"{point.name} does not collect {subject.name}."))
        return subject, info, problems

    upns = [row.get("upn", "").strip().upper() for row in rows]
    pupil_ids = _pupil_ids(school.trust_id, upns)
    # Year group per (pupil, academic year) at this school.
    enrolled: dict[tuple[int, int], str] = {}
    wanted = set(pupil_ids.values())
    for enrolled_id, year_id, enrolled_year in Enrolment.objects.filter(school=school).values_list(
        "pupil_id", "academic_year_id", "year_group"
    ):
        if enrolled_id in wanted:
            enrolled[(enrolled_id, year_id)] = enrolled_year
    groups: dict[str, set[int]] = {}
    if any(row.get("group", "").strip() for row in rows):
        for group_name, member_id in GroupPupil.objects.filter(
            group__school=school, ends__isnull=True
        ).values_list("group__name", "pupil_id"):
            groups.setdefault(group_name.casefold(), set()).add(member_id)

    out: list[ResultRow] = []
    append = out.append
    seen: dict[tuple[int, int, int], int] = {}
    skipped = 0
    step = max(500, len(rows) // 40)
    add = report.add
    school_id = school.pk
    for i, row in enumerate(rows):
        if progress is not None and i and i % step == 0:
            progress(i)
        errors_before = len(report.errors)
        upn = upns[i]
        pupil_id = pupil_ids.get(upn)
        if pupil_id is None:
            add(i, "upn", f"No pupil in {trust.name} has the UPN “{upn}”.")
        cells = (row.get("subject", ""), row.get("point", ""))
        pair = pairs.get(cells)
        if pair is None:
            pair = pairs[cells] = pair_for(*cells)
        subject, info, problems = pair
        for name, message in problems:
            add(i, name, message)
        if info is None:
            continue
        point = info.point
        year_group = ""
        if pupil_id is not None:
            year_group = enrolled.get((pupil_id, point.academic_year_id), "")
            if not year_group:
                add(i, "upn", f"{upn} was not on {school.name}'s roll in {point.academic_year}.")
            elif year_group not in point.year_groups:
                add(
                    i,
                    "upn",
                    f"{point.name} does not collect for Year {year_group}, this pupil's year "
                    "group.",
                )
            if groups:
                group_name = row.get("group", "").strip()
                if group_name and pupil_id not in groups.get(group_name.casefold(), ()):
                    add(i, "group", f"{upn} is not in the group “{group_name}”.")
        text = row.get("result", "").strip()
        if not text:
            if len(report.errors) == errors_before:
                skipped += 1
            continue
        value: float | None = None
        band = None if info.scale.numeric else info.by_code.get(text.casefold())
        if band is None:
            try:
                band, value = parse_judgement(info.scale, info.bands, text)
            except ValueError as error:
                add(i, "result", str(error))
                continue
        if pupil_id is None or subject is None or len(report.errors) != errors_before:
            continue
        key = (point.pk, subject.pk, pupil_id)
        if key in seen:
            add(
                i,
                "upn",
                f"{upn} has a {subject.name} result for {point.name} on row "
                f"{seen[key] + first_row} too: a duplicate row.",
            )
            continue
        seen[key] = i
        append(ResultRow(point.pk, subject.pk, pupil_id, school_id, year_group, band, value))
    report.raise_if_any()
    return ResultsPrepared(out, skipped)


def results_apply(
    *, actor: User | None, school: School, prepared: ResultsPrepared
) -> ImportSummary:
    """Write the checked results in one call to tracking's results_write (which keeps the
    rollups in step and leaves unchanged judgements alone)."""
    written = results_write(
        actor=actor,
        trust=school.trust,
        rows=prepared.rows,
        audit_summary=f"Imported results for {school.name}",
    )
    return ImportSummary(
        created=written.created,
        updated=written.changed,
        unchanged=written.unchanged,
        skipped=prepared.skipped,
    )


@transaction.atomic
def results_import_rows(
    *,
    actor: User | None,
    school: School,
    rows: Sequence[Mapping[str, str]],
    labels: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Check and write result rows (field name -> text: upn, subject, point, result and
    optionally group): the same path a CSV or Excel import takes after reading the file.
    Raises ImportRejected, writing nothing, if any row is wrong."""
    prepared = results_check(school=school, rows=rows, labels=labels)
    summary = results_apply(actor=actor, school=school, prepared=prepared)
    _audit_run(actor, school, ImportKind.RESULTS, "rows given directly", summary)
    return summary


# --- the Common Transfer File ----------------------------------------------------------------
CTF_SUBJECTS = {
    "ENG": ("english", "English"),
    "MAT": ("maths", "Maths"),
    "REA": ("reading", "Reading"),
    "WRI": ("writing", "Writing"),
    "GPS": ("gps", "Grammar, punctuation and spelling"),
    "SCI": ("science", "Science"),
}
# Scaled-score components of the key stage 2 tests, as MIS suppliers label them.
CTF_SCALED = {"SCALED", "SS", "SCL", "SCORE"}
CTF_TEST_SUBJECTS = ("reading", "maths", "gps")
CTF_TA_SUBJECTS = ("reading", "writing", "maths", "science")
STATUTORY_REASON = "Statutory results from a Common Transfer File: no teacher time."


@dataclass
class _CtfResult:
    pupil_index: int
    upn: str
    year: int
    test: bool  # a test's scaled score, else teacher assessment
    subject_code: str
    text: str


@dataclass
class CtfPrepared:
    ctf: ctf_reader.CtfFile
    pupils: PupilsPrepared
    results: list[_CtfResult]
    skipped: int


def ctf_check(
    *, school: School, ctf: ctf_reader.CtfFile, progress: Progress | None = None
) -> CtfPrepared:
    """Check a parsed CTF: that it is for this school, its pupils, and its KS2 results."""
    if (
        ctf.dest_lea
        and ctf.dest_estab
        and (ctf.dest_lea, ctf.dest_estab)
        != (
            school.la_code,
            school.establishment_number,
        )
    ):
        raise ImportRejected(
            [
                RowError(
                    0,
                    "DestSchool",
                    f"This CTF is addressed to school {ctf.dest_lea}/{ctf.dest_estab}, not "
                    f"{school.name} ({school.dfe_number}).",
                )
            ]
        )
    if not ctf.pupils:
        raise ImportRejected([RowError(0, "CTFpupilData", "The CTF holds no pupils.")])
    rows: list[dict[str, str]] = []
    for p in ctf.pupils:
        row = {
            "upn": p.upn,
            "legal_last_name": p.surname,
            "legal_first_name": p.forename,
            "preferred_last_name": p.preferred_surname,
            "preferred_first_name": p.preferred_forename,
            "date_of_birth": p.dob,
            "sex": p.gender,
            "year_group": p.year_group,
        }
        if p.sen_provision:
            row["sen_provision"] = p.sen_provision
            row["sen_primary_need"] = p.sen_primary_need
        if p.fsm is not None:
            row["fsm"] = "Y" if p.fsm else "N"
        rows.append(row)
    labels = {
        "upn": "UPN", "legal_last_name": "Surname", "legal_first_name": "Forename",
        "preferred_last_name": "PreferredSurname", "preferred_first_name": "PreferredForename",
        "date_of_birth": "DOB", "sex": "Gender", "year_group": "NCyearActual",
        "sen_provision": "SENprovision", "sen_primary_need": "SENtype", "fsm": "FSMhistory",
    }  # fmt: skip
    errors: list[RowError] = []
    try:
        pupils = pupils_check(
            school=school, rows=rows, labels=labels, first_row=1, progress=progress
        )
    except ImportRejected as rejected:
        errors += rejected.errors
        pupils = PupilsPrepared([])
    results: list[_CtfResult] = []
    skipped = 0
    ta_codes = {"PK1", "PK2", "PK3", "PK4", "PK5", "PK6", "WTS", "EXS", "GDS"}
    seen: set[tuple[str, int, bool, str]] = set()
    for p in ctf.pupils:
        for a in p.assessments:
            mapped = CTF_SUBJECTS.get(a.subject.upper())
            test = a.method.upper() == "TT"
            if (
                a.stage.upper() != "KS2"
                or mapped is None
                or a.method.upper() not in {"TT", "TA"}
                or (test and a.component.upper() not in CTF_SCALED
                    and a.qualifier.upper() != "SS")
                or mapped[0] not in (CTF_TEST_SUBJECTS if test else CTF_TA_SUBJECTS)
            ):  # fmt: skip
                skipped += 1
                continue
            where = f"StageAssessment {a.subject}/{a.method}/{a.component}".rstrip("/")
            if not a.year.isdigit() or not 1990 < int(a.year) < 2100:
                errors.append(RowError(p.index, where, f"“{a.year}” is not a year."))
                continue
            result = a.result.strip().upper()
            if len(result) == 1 and result.isalpha() and result not in ta_codes:
                skipped += 1  # a status code (absent, disapplied, ...) rather than a result
                continue
            if test:
                try:
                    score = float(result)
                except ValueError:
                    score = -1.0
                if not 80 <= score <= 120:
                    errors.append(
                        RowError(p.index, where, f"“{a.result}” is not a scaled score (80 to 120).")
                    )
                    continue
            elif result not in ta_codes:
                errors.append(
                    RowError(
                        p.index,
                        where,
                        f"“{a.result}” is not a KS2 teacher assessment: use PK1 to PK6, WTS, "
                        "EXS or GDS.",
                    )
                )
                continue
            key = (p.upn, int(a.year), test, mapped[0])
            if key in seen:
                errors.append(RowError(p.index, where, "This result is in the file twice."))
                continue
            seen.add(key)
            results.append(_CtfResult(p.index, p.upn.strip().upper(), int(a.year), test,
                                      mapped[0], result))  # fmt: skip
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return CtfPrepared(ctf, pupils, results, skipped)


def _statutory_point(
    actor: User, school: School, year: int, test: bool, subjects: dict[str, Subject]
) -> CollectionPoint:
    """The trust's point for one summer's KS2 results, made the first time a CTF needs it."""
    name = f"KS2 {'tests' if test else 'teacher assessment'} {year}"
    academic_year, _ = AcademicYear.objects.get_or_create(start_year=year - 1)
    point = CollectionPoint.objects.filter(
        trust_id=school.trust_id, school=None, academic_year=academic_year, name=name
    ).first()
    if point is not None:
        return point
    key = "ks2_scaled" if test else "teacher_assessment"
    scale = Scale.objects.filter(trust_id=school.trust_id, school=None, builtin_key=key).first()
    if scale is None:
        raise ImportRejected(
            [RowError(0, "", f"The trust has no built-in scale “{key}”: set up tracking first.")]
        )
    codes = CTF_TEST_SUBJECTS if test else CTF_TA_SUBJECTS
    try:
        return collection_point_create(
            actor=actor,
            trust=school.trust,
            school=None,
            academic_year=academic_year,
            name=name,
            opens=dt.date(year, 5, 1),
            closes=dt.date(year, 7, 31),
            year_groups=["6"],
            subjects=[subjects[c] for c in codes],
            scale=scale,
            purpose="Statutory key stage 2 results, received in a Common Transfer File: "
            "prior attainment for planning.",
            used_by="Leaders and teachers of the pupils' next school.",
            # The DfE collects these, not the school: the smallest cost the calendar allows.
            minutes_per_pupil=Decimal("0.1"),
            over_cap_reason=STATUTORY_REASON,
        )
    except ValidationError as error:
        raise ImportRejected([RowError(0, "", f"{name}: {m}") for m in error.messages]) from None


@transaction.atomic
def ctf_apply(*, actor: User, school: School, prepared: CtfPrepared) -> ImportSummary:
    summary = pupils_apply(school=school, prepared=prepared.pupils)
    summary.skipped += prepared.skipped
    if prepared.ctf.source:
        summary.notes.append(f"From {prepared.ctf.source}.")
    if not prepared.results:
        return summary
    subjects = {s.code: s for s in Subject.objects.filter(trust_id=school.trust_id)}
    for code, name in CTF_SUBJECTS.values():
        if code not in subjects:
            subjects[code] = Subject.objects.create(
                trust_id=school.trust_id, code=code, name=name, position=len(subjects)
            )
    ids = _pupil_ids(school.trust_id, [r.upn for r in prepared.results])
    rows: list[ResultRow] = []
    cache: dict[tuple[int, bool], tuple[CollectionPoint, dict[str, Band]]] = {}
    for r in prepared.results:
        if (r.year, r.test) not in cache:
            point = _statutory_point(actor, school, r.year, r.test, subjects)
            bands = {b.code: b for b in Band.objects.filter(scale_id=point.scale_id)}
            cache[(r.year, r.test)] = (point, bands)
        point, bands = cache[(r.year, r.test)]
        if r.test:
            score = float(r.text)
            band = max((b for b in bands.values() if b.value <= score), key=lambda b: b.value)
            value: float | None = score
        else:
            band, value = bands[r.text], None
        rows.append(
            ResultRow(point.pk, subjects[r.subject_code].pk, ids[r.upn], school.pk, "6", band,
                      value)
        )  # fmt: skip
    written = results_write(
        actor=actor, trust=school.trust, rows=rows,
        audit_summary=f"Imported KS2 results from a CTF for {school.name}",
    )  # fmt: skip
    summary.notes.append(
        f"KS2 results: {written.created} new, {written.changed} changed, "
        f"{written.unchanged} unchanged."
    )
    return summary


# --- jobs -------------------------------------------------------------------------------------
def _audit_run(
    actor: User | None, school: School, kind: str, filename: str, summary: ImportSummary,
    job: ImportJob | None = None,
) -> None:  # fmt: skip
    audit_record(
        actor=actor,
        action="import.run",
        summary=f"Imported {ImportKind(kind).label.lower()} from {filename}: "
        f"{summary.created} new, {summary.updated} updated, {summary.unchanged} unchanged"
        + (f", {summary.skipped} skipped" if summary.skipped else ""),
        school=school,
        target=job,
    )


@transaction.atomic
def import_job_create(
    *, actor: User, school: School, kind: str, filename: str, content: bytes
) -> ImportJob:
    """Keep an uploaded file as a job. A CTF is queued at once; a spreadsheet waits for its
    columns to be matched."""
    return ImportJob.objects.create(
        trust_id=school.trust_id,
        school=school,
        kind=kind,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        size=len(content),
        uploaded_by=actor,
        status=ImportStatus.QUEUED if kind == ImportKind.CTF else ImportStatus.MAPPING,
        created_at=timezone.now(),
    )


@transaction.atomic
def column_mapping_save(
    *, actor: User, school: School, kind: str, mapping: Mapping[str, str]
) -> ColumnMapping:
    """Remember which columns of this school's export hold which fields, for next time."""
    saved, _ = ColumnMapping.objects.update_or_create(
        school=school,
        kind=kind,
        defaults={
            "trust_id": school.trust_id,
            "mapping": {k: v for k, v in mapping.items() if v},
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    return saved


def import_job_start(*, actor: User, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    """Save the column mapping (on the job and for the school) and run the job: at once for a
    small file, in the background worker for a large one."""
    from grove.interop.tasks import import_run  # the task module imports this one

    with transaction.atomic():
        column_mapping_save(actor=actor, school=job.school, kind=job.kind, mapping=mapping)
        job.mapping = {k: v for k, v in mapping.items() if v}
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["mapping", "status"])
    import_job_dispatch(job=job, enqueue=import_run.enqueue)
    job.refresh_from_db()
    return job


def import_job_dispatch(*, job: ImportJob, enqueue: Callable[[int], object]) -> None:
    """Small files are imported during the request; large ones go to the task queue."""
    if job.size <= BACKGROUND_BYTES:
        import_job_run(job_id=job.pk)
    else:
        enqueue(job.pk)


def _set(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def _fail(job: ImportJob, errors: list[RowError]) -> None:
    _set(
        job.pk,
        status=ImportStatus.FAILED,
        errors=[asdict(e) for e in errors[:ERRORS_KEPT]],
        error_count=len(errors),
        finished_at=timezone.now(),
    )


def import_job_run(*, job_id: int) -> ImportJob:
    """Import a queued job: check every row, recording progress as it goes, then write all of
    it in one transaction, or nothing with the list of problems."""
    job = ImportJob.objects.select_related("school__trust", "uploaded_by").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return job
    school, actor = job.school, job.uploaded_by
    content = bytes(job.content)
    _set(job.pk, status=ImportStatus.VALIDATING, processed_rows=0)

    def progress(done: int) -> None:
        _set(job.pk, processed_rows=done)

    try:
        if job.kind == ImportKind.CTF:
            ctf = ctf_reader.parse(content, timezone.localdate().isoformat())
            _set(job.pk, total_rows=len(ctf.pupils))
            prepared_ctf = ctf_check(school=school, ctf=ctf, progress=progress)
            total = len(ctf.pupils)
        else:
            table = read_table(job.filename, content)
            rows = rows_as_dicts(table, job.mapping)
            total = len(rows)
            _set(job.pk, total_rows=total)
            if not rows:
                raise ImportRejected([RowError(0, "", "The file has a header row but no data.")])
            checkers: dict[str, Callable[..., Any]] = {
                ImportKind.PUPILS: pupils_check,
                ImportKind.GROUPS: groups_check,
                ImportKind.RESULTS: results_check,
            }
            checker = checkers[job.kind]
            prepared: Any = checker(school=school, rows=rows, labels=job.mapping, progress=progress)
        _set(job.pk, status=ImportStatus.IMPORTING, processed_rows=total)
        with transaction.atomic():
            if job.kind == ImportKind.CTF:
                assert actor is not None
                summary = ctf_apply(actor=actor, school=school, prepared=prepared_ctf)
            elif job.kind == ImportKind.PUPILS:
                summary = pupils_apply(school=school, prepared=prepared)
            elif job.kind == ImportKind.GROUPS:
                summary = groups_apply(school=school, prepared=prepared)
            else:
                summary = results_apply(actor=actor, school=school, prepared=prepared)
            _audit_run(actor, school, job.kind, job.filename, summary, job)
            _set(
                job.pk,
                status=ImportStatus.DONE,
                summary=summary.as_dict(),
                finished_at=timezone.now(),
            )
    except FileProblem as problem:
        _fail(job, [RowError(0, "", str(problem))])
    except ImportRejected as rejected:
        _fail(job, rejected.errors)
    except Exception:
        log.exception("Import job %s failed", job.pk)
        _fail(job, [RowError(0, "", "Grove could not finish this import: nothing was saved. "
                                    "The error is in the server's log.")])  # fmt: skip
    job.refresh_from_db()
    return job


def import_job_reject(*, job: ImportJob, message: str) -> None:
    """Mark a job as not imported because its file cannot be read."""
    _fail(job, [RowError(0, "", message)])
