"""Every write to tracking: scales, the collection calendar, results (with their rollups),
targets and measured entry time."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from grove.core.actions import audit_record
from grove.core.models import AcademicYear, School, Trust, User
from grove.pupils.codes import YEAR_GROUPS
from grove.pupils.models import Enrolment, GroupPupil, Pupil, TeachingGroup
from grove.tracking import groups as pupil_groups
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
from grove.tracking.queries import recording_scale
from grove.tracking.queries_setup import cap_count
from grove.tracking.scales import BUILT_IN

DEFAULT_SUBJECTS = (
    ("reading", "Reading"),
    ("writing", "Writing"),
    ("maths", "Maths"),
    ("science", "Science"),
    ("english", "English"),
    ("history", "History"),
    ("geography", "Geography"),
    ("computing", "Computing"),
    ("languages", "Modern languages"),
    ("art", "Art and design"),
)


# --- scales and subjects ----------------------------------------------------------------------
@transaction.atomic
def tracking_setup(*, actor: User | None, trust: Trust) -> None:
    """Give a trust the built-in scales and the usual subjects, once; running it again adds
    only what is missing."""
    existing = set(
        Scale.objects.filter(trust=trust, school=None).values_list("builtin_key", flat=True)
    )
    for spec in BUILT_IN:
        if spec.key in existing:
            continue
        scale = Scale.objects.create(
            trust=trust,
            name=spec.name,
            builtin_key=spec.key,
            description=spec.description,
            numeric=spec.numeric,
            minimum=spec.minimum,
            maximum=spec.maximum,
        )
        Band.objects.bulk_create(
            Band(
                scale=scale,
                code=b.code,
                label=b.label,
                value=b.value,
                is_expected=b.code == spec.expected,
            )
            for b in spec.bands
        )
    have = set(Subject.objects.filter(trust=trust).values_list("code", flat=True))
    Subject.objects.bulk_create(
        Subject(trust=trust, code=code, name=name, position=i)
        for i, (code, name) in enumerate(DEFAULT_SUBJECTS)
        if code not in have
    )
    if actor is not None:
        audit_record(
            actor=actor,
            action="tracking.setup",
            summary=f"Installed the built-in scales and subjects for {trust.name}",
            trust=trust,
        )


@dataclass(frozen=True)
class BandInput:
    code: str
    label: str
    value: float
    is_expected: bool = False
    common_band_id: int | None = None


@transaction.atomic
def scale_create(
    *,
    actor: User,
    trust: Trust,
    school: School | None,
    name: str,
    numeric: bool,
    bands: Sequence[BandInput],
    minimum: float | None = None,
    maximum: float | None = None,
    maps_onto: Scale | None = None,
    description: str = "",
) -> Scale:
    """A new scale: the trust's common one (school None) or a school's own, which must map
    every band onto a band of a common scale. Raises ValidationError naming the field."""
    errors: dict[str, list[str]] = defaultdict(list)
    name = name.strip()
    if not name:
        errors["name"].append("Give the scale a name.")
    elif Scale.objects.filter(trust=trust, school=school, name__iexact=name).exists():
        errors["name"].append(f"There is already a scale called “{name}”.")
    if len(bands) < 2:
        errors["bands"].append("A scale needs at least two bands.")
    codes = [b.code.strip() for b in bands]
    for i, band in enumerate(bands, start=1):
        if not band.code.strip():
            errors["bands"].append(f"Band {i} needs a code.")
        elif codes.count(band.code.strip()) > 1:
            errors["bands"].append(f"Band {i}: the code “{band.code}” is used twice.")
        if not band.label.strip():
            errors["bands"].append(f"Band {i} needs a label.")
    values = [b.value for b in bands]
    if len(set(values)) != len(values):
        errors["bands"].append("Each band needs its own value, so the bands have an order.")
    if sum(b.is_expected for b in bands) > 1:
        errors["bands"].append("Only one band can be the expected standard.")
    if numeric:
        if minimum is None or maximum is None or minimum >= maximum:
            errors["minimum"].append("A numeric scale needs a lowest score below its highest.")
        elif min(values, default=minimum) != minimum:
            errors["bands"].append("The lowest band must start at the scale's lowest score.")
    if school is not None:
        if maps_onto is None or maps_onto.trust_id != trust.pk or maps_onto.school_id is not None:
            errors["maps_onto"].append("Choose the trust's common scale this scale maps onto.")
        else:
            allowed = set(Band.objects.filter(scale=maps_onto).values_list("pk", flat=True))
            for i, band in enumerate(bands, start=1):
                if band.common_band_id not in allowed:
                    errors["bands"].append(
                        f"Band {i} (“{band.code}”): choose the common band it counts as."
                    )
    if errors:
        raise ValidationError(dict(errors))
    scale = Scale.objects.create(
        trust=trust,
        school=school,
        name=name,
        description=description,
        numeric=numeric,
        minimum=minimum if numeric else None,
        maximum=maximum if numeric else None,
        maps_onto=maps_onto if school is not None else None,
    )
    Band.objects.bulk_create(
        Band(
            scale=scale,
            code=b.code.strip(),
            label=b.label.strip(),
            value=b.value,
            is_expected=b.is_expected,
            common_band_id=b.common_band_id if school is not None else None,
        )
        for b in bands
    )
    where = school.name if school else trust.name
    audit_record(
        actor=actor,
        action="tracking.scale_create",
        summary=f"Created the scale “{name}” ({len(bands)} bands) for {where}",
        trust=trust,
        school=school,
        target=scale,
    )
    return scale


@transaction.atomic
def school_scale_choose(
    *, actor: User, school: School, common_scale: Scale, own_scale: Scale | None
) -> None:
    """Record in the school's own scale wherever the trust collects on ``common_scale``; with
    ``own_scale`` None, go back to the common scale."""
    if common_scale.school_id is not None or common_scale.trust_id != school.trust_id:
        raise ValidationError({"common_scale": "Choose one of the trust's common scales."})
    if own_scale is not None and (
        own_scale.school_id != school.pk or own_scale.maps_onto_id != common_scale.pk
    ):
        raise ValidationError(
            {"own_scale": f"Choose one of the school's scales that maps onto {common_scale}."}
        )
    SchoolScale.objects.filter(school=school, common_scale=common_scale).delete()
    if own_scale is not None:
        SchoolScale.objects.create(
            trust_id=school.trust_id, school=school, common_scale=common_scale, own_scale=own_scale
        )
    summary = (
        f"{school.name} records {common_scale} on its own scale “{own_scale}”"
        if own_scale
        else f"{school.name} records {common_scale} on the trust's scale"
    )
    audit_record(
        actor=actor,
        action="tracking.school_scale",
        summary=summary,
        trust=school.trust,
        school=school,
        target=common_scale,
    )


# --- collection calendar ----------------------------------------------------------------------
@transaction.atomic
def collection_point_create(
    *,
    actor: User,
    trust: Trust,
    school: School | None,
    academic_year: AcademicYear,
    name: str,
    opens: dt.date,
    closes: dt.date,
    year_groups: Sequence[str],
    subjects: Sequence[Subject],
    scale: Scale,
    purpose: str,
    used_by: str,
    minutes_per_pupil: Decimal,
    over_cap_reason: str = "",
) -> CollectionPoint:
    """Add a collection point to the calendar. Past the trust's cap it needs a reason, which
    everyone sees beside it. Raises ValidationError naming the field."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not name.strip():
        errors["name"].append("Give the collection point a name.")
    if closes < opens:
        errors["closes"].append("The window must close on or after the day it opens.")
    if not (academic_year.starts <= opens <= academic_year.ends) or not (
        academic_year.starts <= closes <= academic_year.ends
    ):
        errors["opens"].append(
            f"The window must fall inside {academic_year} "
            f"({academic_year.starts:%-d %B %Y} to {academic_year.ends:%-d %B %Y})."
        )
    if not year_groups:
        errors["year_groups"].append("Choose at least one year group.")
    if not subjects:
        errors["subjects"].append("Choose at least one subject.")
    if any(s.trust_id != trust.pk for s in subjects):
        errors["subjects"].append("Choose the trust's subjects.")
    if scale.trust_id != trust.pk or scale.school_id is not None:
        errors["scale"].append("Choose one of the trust's common scales.")
    if not purpose.strip():
        errors["purpose"].append("Say what the data is for: what will change for pupils.")
    if not used_by.strip():
        errors["used_by"].append("Say who will use the data.")
    if minutes_per_pupil <= 0:
        errors["minutes_per_pupil"].append("Estimate the minutes per pupil: more than 0.")
    over = cap_count(trust, academic_year, school) >= trust.collection_cap
    if over and not over_cap_reason.strip():
        errors["over_cap_reason"].append(
            f"{trust.name} caps collections at {trust.collection_cap} a year. Going past the "
            "cap needs a reason, which everyone will see."
        )
    if errors:
        raise ValidationError(dict(errors))
    point = CollectionPoint.objects.create(
        trust=trust,
        school=school,
        academic_year=academic_year,
        name=name.strip(),
        opens=opens,
        closes=closes,
        year_groups=sorted(set(year_groups), key=_year_order),
        scale=scale,
        purpose=purpose.strip(),
        used_by=used_by.strip(),
        minutes_per_pupil=minutes_per_pupil,
        over_cap_reason=over_cap_reason.strip() if over else "",
        created_by=actor,
    )
    point.subjects.set(subjects)
    where = school.name if school else f"every school in {trust.name}"
    audit_record(
        actor=actor,
        action="tracking.point_create",
        summary=f"Added the collection point “{point.name}” for {where}"
        + (f" over the cap: {point.over_cap_reason}" if over else ""),
        trust=trust,
        school=school,
        target=point,
    )
    return point


YEAR_ORDER = {code: i for i, (code, _) in enumerate(YEAR_GROUPS)}


def _year_order(code: str) -> tuple[int, str]:
    return (YEAR_ORDER.get(code, 99), code)


# --- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResultRow:
    """A judgement ready to store: the caller has checked the band and the pupil."""

    point_id: int
    subject_id: int
    pupil_id: int
    school_id: int
    year_group: str
    band: Band | None  # None clears the judgement
    value: float | None = None  # the score on a numeric scale


@dataclass(frozen=True)
class WriteSummary:
    created: int
    changed: int
    cleared: int
    unchanged: int


def _prior_for(
    trust_id: int, start_year: int, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Prior attainment per (pupil, subject): the last judgement of the year before, below,
    at or above the expected standard of its common scale."""
    if not pairs:
        return {}
    pupils = {p for p, _ in pairs}
    subjects = {s for _, s in pairs}
    expected = dict(
        Band.objects.filter(is_expected=True, scale__trust_id=trust_id).values_list(
            "scale_id", "value"
        )
    )
    band_facts = {
        pk: (scale_id, value)
        for pk, scale_id, value in Band.objects.filter(scale__trust_id=trust_id).values_list(
            "pk", "scale_id", "value"
        )
    }
    prior: dict[tuple[int, int], str] = {}
    # Point by point, oldest first, so the last judgement of the year wins; naming the point,
    # subjects and pupils lets the database use the result table's unique index.
    marks = ", ".join(["%s"] * len(subjects))
    sql = (
        "SELECT pupil_id, subject_id, common_band_id FROM tracking_result "  # noqa: S608
        f"WHERE point_id = %s AND subject_id IN ({marks}) AND pupil_id IN ({{ids}})"
    )
    for point_id in (
        CollectionPoint.objects.filter(trust_id=trust_id, academic_year__start_year=start_year - 1)
        .order_by("closes")
        .values_list("pk", flat=True)
    ):
        for pupil_id, subject_id, band_id in _select_in(sql, [point_id, *subjects], pupils):
            if (pupil_id, subject_id) not in pairs:
                continue
            scale_id, value = band_facts[band_id]
            threshold = expected.get(scale_id)
            if threshold is not None:
                prior[(pupil_id, subject_id)] = (
                    "low" if value < threshold else "mid" if value == threshold else "high"
                )
    return prior


def _masks_for(pupil_ids: set[int]) -> dict[int, tuple[bool, str, bool, str]]:
    """Per pupil: pupil premium, SEN provision, EAL (current characteristics) and sex."""
    sex = dict(_select_in("SELECT id, sex FROM pupils_pupil WHERE id IN ({ids})", [], pupil_ids))
    found: dict[int, tuple[bool, str, bool, str]] = {
        pk: (False, "N", False, sex.get(pk, "")) for pk in pupil_ids
    }
    for pupil_id, pp, sen, eal in _select_in(
        "SELECT pupil_id, pupil_premium, sen_provision, eal FROM pupils_characteristics "
        "WHERE valid_to IS NULL AND pupil_id IN ({ids})",
        [],
        pupil_ids,
    ):
        found[pupil_id] = (bool(pp), sen, bool(eal), sex.get(pupil_id, ""))
    return found


def _chunks(items: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Existing = tuple[int, int, int, int, int, str, float]


def _select_in(sql: str, params: Sequence[int], column: Iterable[int]) -> Iterable[Any]:
    """Run ``sql`` (ending in ``IN ({ids})``) once per chunk of ids, through the raw cursor:
    the ORM's per-parameter work costs more than the lookups themselves on big imports."""
    ids = sorted(column)
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.format(ids=marks), [*params, *chunk])
            yield from cursor.fetchall()


def _existing_for(rows: Sequence[ResultRow]) -> dict[tuple[int, int, int], Existing]:
    """What is stored already for the rows' (point, subject, pupil)s: one indexed lookup per
    point and chunk of pupils."""
    wanted: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for r in rows:
        wanted[r.point_id].add((r.subject_id, r.pupil_id))
    existing: dict[tuple[int, int, int], Existing] = {}
    for point_id, pairs in wanted.items():
        subjects = sorted({s for s, _ in pairs})
        marks = ", ".join(["%s"] * len(subjects))
        sql = (
            "SELECT id, subject_id, pupil_id, band_id, common_band_id, groups, school_id, "  # noqa: S608
            f"year_group, value FROM tracking_result WHERE point_id = %s AND subject_id IN "
            f"({marks}) AND pupil_id IN ({{ids}})"
        )
        for row in _select_in(sql, [point_id, *subjects], {p for _, p in pairs}):
            rid, subject_id, pupil_id, band_id, common_id, groups, school_id, year, value = row
            if (subject_id, pupil_id) in pairs:
                existing[(point_id, subject_id, pupil_id)] = (
                    rid, band_id, common_id, groups, school_id, year, value,
                )  # fmt: skip
    return existing


@transaction.atomic
def results_write(
    *, actor: User | None, trust: Trust, rows: Sequence[ResultRow], audit_summary: str = ""
) -> WriteSummary:
    """Store judgements and keep the rollups in step, in one transaction. Rows for a pupil,
    subject and point already holding the same band are left alone, so writing the same rows
    twice changes nothing. The one way results are written: the entry page and imports."""
    if not rows:
        return WriteSummary(0, 0, 0, 0)
    now = timezone.now()
    existing = _existing_for(rows)
    # Plain attributes, read once per band rather than once per row.
    band_facts: dict[int, tuple[int, int, float]] = {}
    for r in rows:
        band = r.band
        if band is not None and id(band) not in band_facts:
            band_facts[id(band)] = (band.id, band.common_band_id or band.id, band.value)
    changing: list[tuple[ResultRow, Existing | None]] = []
    for r in rows:
        old = existing.get((r.point_id, r.subject_id, r.pupil_id))
        if r.band is None:
            if old is not None:
                changing.append((r, old))
            continue
        band_id, _, band_value = band_facts[id(r.band)]
        value = r.value if r.value is not None else band_value
        if old is None or old[1] != band_id or old[6] != value:
            changing.append((r, old))
    unchanged = len(rows) - len(changing)
    if not changing:
        return WriteSummary(0, 0, 0, unchanged)

    points = dict(
        CollectionPoint.objects.filter(pk__in={r.point_id for r, _ in changing}).values_list(
            "pk", "academic_year__start_year"
        )
    )
    masks = _masks_for({r.pupil_id for r, _ in changing if r.band is not None})
    by_year: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for r, _ in changing:
        if r.band is not None:
            by_year[points[r.point_id]].add((r.pupil_id, r.subject_id))
    prior: dict[tuple[int, int], str] = {}
    for start_year, pairs in by_year.items():
        prior.update(_prior_for(trust.pk, start_year, pairs))

    delta: Counter[tuple[int, int, int, str, str, int]] = Counter()
    inserts: list[tuple[int | str | float | dt.datetime | None, ...]] = []
    updates: list[tuple[int | str | float | dt.datetime | None, ...]] = []
    deletes: list[int] = []
    created = changed = cleared = 0
    actor_id = actor.pk if actor is not None else None
    keys_for = pupil_groups.keys_for
    mask_cache: dict[tuple[bool, str, bool, str, str | None], int] = {}
    for r, old in changing:
        if old is not None:
            for key in keys_for(old[3]):
                delta[(r.point_id, r.subject_id, old[4], old[5], key, old[2])] -= 1
        if r.band is None:
            deletes.append(old[0])  # type: ignore[index]
            cleared += 1
            continue
        facts = masks[r.pupil_id]
        prior_band = prior.get((r.pupil_id, r.subject_id))
        mask = mask_cache.get((*facts, prior_band))
        if mask is None:
            mask = pupil_groups.mask_for(
                pupil_premium=facts[0], sen_provision=facts[1], eal=facts[2], sex=facts[3],
                prior=prior_band,
            )  # fmt: skip
            mask_cache[(*facts, prior_band)] = mask
        band_id, common_id, band_value = band_facts[id(r.band)]
        for key in keys_for(mask):
            delta[(r.point_id, r.subject_id, r.school_id, r.year_group, key, common_id)] += 1
        value = r.value if r.value is not None else band_value
        if old is None:
            inserts.append(
                (trust.pk, r.school_id, r.point_id, r.subject_id, r.pupil_id, r.year_group,
                 band_id, common_id, value, mask, actor_id, now)
            )  # fmt: skip
            created += 1
        else:
            updates.append(
                (r.school_id, r.year_group, band_id, common_id, value, mask, actor_id, now,
                 old[0])
            )  # fmt: skip
            changed += 1

    with connection.cursor() as cursor:
        for chunk in _chunks(deletes):
            Result.objects.filter(pk__in=chunk).delete()
        if inserts:
            cursor.executemany(
                "INSERT INTO tracking_result (trust_id, school_id, point_id, subject_id, "
                "pupil_id, year_group, band_id, common_band_id, value, groups, recorded_by_id, "
                "recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                inserts,
            )
        if updates:
            cursor.executemany(
                "UPDATE tracking_result SET school_id = %s, year_group = %s, band_id = %s, "
                "common_band_id = %s, value = %s, groups = %s, recorded_by_id = %s, "
                "recorded_at = %s WHERE id = %s",
                updates,
            )
    _rollups_apply(trust.pk, delta)
    schools = {r.school_id for r in rows}
    audit_record(
        actor=actor,
        action="tracking.results",
        summary=audit_summary or f"Recorded {created + changed} judgements and cleared {cleared}",
        trust=trust,
        school=School.objects.filter(pk=schools.pop()).first() if len(schools) == 1 else None,
    )
    return WriteSummary(created, changed, cleared, unchanged)


def _rollups_apply(trust_id: int, delta: Mapping[tuple[int, int, int, str, str, int], int]) -> None:
    """Add the changes in counts to the rollup rows, creating the rows that are missing."""
    delta = {k: v for k, v in delta.items() if v}
    if not delta:
        return
    found: dict[tuple[int, int, int, str, str, int], int] = {}
    cells = defaultdict(set)
    for point_id, subject_id, school_id, *_ in delta:
        cells[(point_id, subject_id)].add(school_id)
    for (point_id, subject_id), schools in cells.items():
        for pk, school_id, year_group, group, band_id in Rollup.objects.filter(
            point_id=point_id, subject_id=subject_id, school_id__in=schools
        ).values_list("pk", "school_id", "year_group", "pupil_group", "band_id"):
            found[(point_id, subject_id, school_id, year_group, group, band_id)] = pk
    updates = [(change, found[key]) for key, change in delta.items() if key in found]
    inserts = [
        (trust_id, key[2], key[0], key[1], key[3], key[4], key[5], change)
        for key, change in delta.items()
        if key not in found
    ]
    with connection.cursor() as cursor:
        if updates:
            cursor.executemany(
                "UPDATE tracking_rollup SET count = count + %s WHERE id = %s", updates
            )
        if inserts:
            cursor.executemany(
                "INSERT INTO tracking_rollup (trust_id, school_id, point_id, subject_id, "
                "year_group, pupil_group, band_id, count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                inserts,
            )


@transaction.atomic
def rollups_rebuild(*, trust: Trust) -> int:
    """Recount every rollup of a trust from its results (a repair, and a check in tests)."""
    Rollup.objects.filter(trust=trust).delete()
    delta: Counter[tuple[int, int, int, str, str, int]] = Counter()
    for point_id, subject_id, school_id, year_group, mask, band_id in (
        Result.objects.filter(trust=trust)
        .values_list(
            "point_id", "subject_id", "school_id", "year_group", "groups", "common_band_id"
        )
        .iterator(chunk_size=10000)
    ):
        for key in pupil_groups.keys_for(mask):
            delta[(point_id, subject_id, school_id, year_group, key, band_id)] += 1
    _rollups_apply(trust.pk, delta)
    return len(delta)


# --- the entry page ---------------------------------------------------------------------------
def parse_judgement(scale: Scale, bands: Sequence[Band], text: str) -> tuple[Band, float]:
    """The band (and value) a typed judgement stands for; ValueError says what was wrong."""
    text = text.strip()
    if scale.numeric:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(
                f"“{text}” is not a score: type a number from {scale.minimum:g} to "
                f"{scale.maximum:g}."
            ) from None
        low, high = scale.minimum, scale.maximum
        if low is not None and high is not None and not low <= value <= high:
            raise ValueError(
                f"{value:g} is outside the scale: type a number from {scale.minimum:g} to "
                f"{scale.maximum:g}."
            )
        band = [b for b in bands if b.value <= value][-1]
        return band, value
    for band in bands:
        if band.code.casefold() == text.casefold():
            return band, band.value
    codes = ", ".join(b.code for b in bands)
    raise ValueError(f"“{text}” is not a band of {scale.name}: use one of {codes}.")


@transaction.atomic
def results_record(
    *,
    actor: User,
    point: CollectionPoint,
    subject: Subject,
    group: TeachingGroup,
    judgements: Mapping[int, str],
    today: dt.date | None = None,
) -> WriteSummary:
    """Save a teacher's judgements for pupils of one group (pupil id -> typed code or score;
    an empty string clears). Every problem is reported, keyed ``pupil-<id>``, and then nothing
    is saved."""
    today = today or timezone.localdate()
    school = group.school
    errors: dict[str, str] = {}
    if point.school_id not in (None, school.pk) or point.trust_id != school.trust_id:
        raise ValidationError({"point": "This collection point is not for this school."})
    if not point.subjects.filter(pk=subject.pk).exists():
        raise ValidationError({"subject": f"{point.name} does not collect {subject.name}."})
    if not point.opens <= today <= point.closes:
        raise ValidationError(
            {
                "point": f"{point.name} is open from {point.opens:%-d %B} to "
                f"{point.closes:%-d %B %Y}; judgements can't be entered today."
            }
        )
    members = set(
        GroupPupil.objects.filter(group=group, ends__isnull=True).values_list("pupil_id", flat=True)
    )
    year_groups = dict(
        Enrolment.objects.filter(
            school=school, academic_year_id=point.academic_year_id, pupil_id__in=members
        ).values_list("pupil_id", "year_group")
    )
    scale = recording_scale(point, school)
    bands = list(Band.objects.filter(scale=scale).order_by("value"))
    rows: list[ResultRow] = []
    for pupil_id, text in judgements.items():
        key = f"pupil-{pupil_id}"
        if pupil_id not in members:
            errors[key] = f"This pupil is not in {group.name}."
            continue
        year_group = year_groups.get(pupil_id)
        if year_group is None or year_group not in point.year_groups:
            errors[key] = f"{point.name} does not collect for this pupil's year group."
            continue
        if not text.strip():
            rows.append(ResultRow(point.pk, subject.pk, pupil_id, school.pk, year_group, None))
            continue
        try:
            band, value = parse_judgement(scale, bands, text)
        except ValueError as error:
            errors[key] = str(error)
            continue
        rows.append(ResultRow(point.pk, subject.pk, pupil_id, school.pk, year_group, band, value))
    if errors:
        raise ValidationError(errors)
    return results_write(
        actor=actor,
        trust=school.trust,
        rows=rows,
        audit_summary=f"Recorded {subject.name} judgements for {group.name} at {point.name}",
    )


@transaction.atomic
def entry_time_add(
    *,
    actor: User,
    point: CollectionPoint,
    subject: Subject,
    group: TeachingGroup,
    seconds: int,
    saves: int = 0,
) -> EntrySession:
    """Add measured time (active seconds on the entry page, capped by the caller) to the
    workload record of this person, group, subject and point."""
    seconds = max(0, min(int(seconds), 600))
    now = timezone.now()
    session, _ = EntrySession.objects.get_or_create(
        point=point,
        subject=subject,
        group=group,
        user=actor,
        defaults={
            "trust_id": group.trust_id,
            "school_id": group.school_id,
            "started_at": now,
            "last_at": now,
        },
    )
    EntrySession.objects.filter(pk=session.pk).update(
        seconds=F("seconds") + seconds, saves=F("saves") + saves, last_at=now
    )
    session.refresh_from_db()
    return session


# --- targets ----------------------------------------------------------------------------------
@transaction.atomic
def target_set(
    *,
    actor: User,
    school: School,
    pupil: Pupil,
    subject: Subject,
    academic_year: AcademicYear,
    band: Band | None,
) -> Target | None:
    """Set (or with band None, remove) a pupil's target in a subject for the year."""
    if band is not None and band.scale.trust_id != school.trust_id:
        raise ValidationError({"band": "Choose a band of one of the trust's scales."})
    Target.objects.filter(pupil=pupil, subject=subject, academic_year=academic_year).delete()
    target = None
    if band is not None:
        target = Target.objects.create(
            trust_id=school.trust_id,
            school=school,
            pupil=pupil,
            subject=subject,
            academic_year=academic_year,
            band=band,
            set_by=actor,
            set_at=timezone.now(),
        )
    audit_record(
        actor=actor,
        action="tracking.target",
        summary=(
            f"Set {pupil.name}'s {subject.name} target for {academic_year} to {band.code}"
            if band
            else f"Removed {pupil.name}'s {subject.name} target for {academic_year}"
        ),
        trust=school.trust,
        school=school,
        target=pupil,
    )
    return target
