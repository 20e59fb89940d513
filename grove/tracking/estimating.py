"""End-of-year estimates for a pupil, learnt from the trust's earlier cohorts: "pupils with
similar starting points went on to…". Always a range with chances, never a single target."""

from __future__ import annotations

import numpy as np
from django.core.cache import cache

from grove.core.models import AcademicYear, School
from grove.pupils.models import Enrolment, Pupil
from grove.tracking import estimates as engine
from grove.tracking.models import Band, CollectionPoint, Result
from grove.tracking.queries import Estimate

MIN_HISTORY = 30  # fewer earlier pupils than this, and Grove shows no estimate
RANGE = (0.1, 0.9)


def _final_points(trust_id: int) -> dict[int, CollectionPoint]:
    """The last trust-wide collection point of each year: the end-of-year judgement."""
    finals: dict[int, CollectionPoint] = {}
    for point in (
        CollectionPoint.objects.filter(trust_id=trust_id, school__isnull=True)
        .select_related("academic_year", "scale")
        .prefetch_related("subjects")
        .order_by("closes")
    ):
        finals[point.academic_year.start_year] = point
    return finals


# The year group a pupil was in the year before.
YEAR_BEFORE = {"R": "N2", "1": "R"} | {str(n): str(n - 1) for n in range(2, 15)}
HISTORY_SECONDS = 3600  # earlier cohorts change rarely: an hour's cache is fresh enough


def _values(
    point: CollectionPoint,
    subjects: set[int],
    *,
    pupil_id: int | None = None,
    year_group: str | None = None,
) -> dict[tuple[int, int], float]:
    """(pupil, subject) -> the value on the point's common scale."""
    query = Result.objects.filter(point=point, subject_id__in=subjects)
    if pupil_id is not None:
        query = query.filter(pupil_id=pupil_id)
    if year_group is not None:
        query = query.filter(year_group=year_group)
    field = "value" if point.scale.numeric else "common_band__value"
    return {(p, s): v for p, s, v in query.values_list("pupil_id", "subject_id", field)}


def _history(
    finals: dict[int, CollectionPoint],
    year: AcademicYear,
    year_group: str,
    subject_id: int,
    outcome_point: CollectionPoint,
    prior_point: CollectionPoint,
) -> tuple[list[float], list[float]]:
    """Earlier cohorts in this subject: (end of the year before, end of the year) for pupils in
    the same year group, in every earlier year measured on the same scales. Cached."""
    key = (
        f"grove:estimate-history:{outcome_point.trust_id}:{year.start_year}:{year_group}:"
        f"{subject_id}:{outcome_point.scale_id}:{prior_point.scale_id}"
    )
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    starts: list[float] = []
    outcomes: list[float] = []
    for start_year, point in sorted(finals.items()):
        before = finals.get(start_year - 1)
        if start_year >= year.start_year or before is None:
            continue
        if point.scale_id != outcome_point.scale_id or before.scale_id != prior_point.scale_id:
            continue
        ends = _values(point, {subject_id}, year_group=year_group)
        begins = _values(before, {subject_id}, year_group=YEAR_BEFORE.get(year_group, ""))
        for pair, outcome in ends.items():
            if pair in begins:
                starts.append(begins[pair])
                outcomes.append(outcome)
    cache.set(key, (starts, outcomes), HISTORY_SECONDS)
    return starts, outcomes


def estimates_for(pupil: Pupil, school: School, year: AcademicYear) -> dict[int, Estimate]:
    """For each subject the pupil has a judgement in at the end of last year: the range and
    chances of their end-of-year judgement this year."""
    finals = _final_points(school.trust_id)
    last_year = finals.get(year.start_year - 1)
    outcome_point = finals.get(year.start_year) or last_year
    if last_year is None or outcome_point is None:
        return {}
    # Estimates are for the pupil's school this year, not for a school they have left.
    enrolment = Enrolment.objects.filter(pupil=pupil, academic_year=year, school=school).first()
    if enrolment is None:
        return {}
    subjects = {s.pk for s in outcome_point.subjects.all()}
    prior_now = {s: v for (_, s), v in _values(last_year, subjects, pupil_id=pupil.pk).items()}
    if not prior_now:
        return {}
    bands = list(Band.objects.filter(scale_id=outcome_point.scale_id).order_by("value"))
    prior_bands = list(Band.objects.filter(scale_id=last_year.scale_id).order_by("value"))
    found: dict[int, Estimate] = {}
    for subject_id, prior in prior_now.items():
        history = _history(finals, year, enrolment.year_group, subject_id, outcome_point, last_year)
        if len(history[0]) < MIN_HISTORY:
            continue
        found[subject_id] = _estimate(
            history, prior, outcome_point, bands, prior_bands, last_year.scale.numeric
        )
    return found


def _band_for(bands: list[Band], value: float) -> Band:
    below = [b for b in bands if b.value <= value]
    return below[-1] if below else bands[0]


def _estimate(
    history: tuple[list[float], list[float]],
    prior: float,
    outcome_point: CollectionPoint,
    bands: list[Band],
    prior_bands: list[Band],
    prior_numeric: bool,
) -> Estimate:
    starts = np.array(history[0], dtype=float)
    outcomes = np.array(history[1], dtype=float)
    numeric = outcome_point.scale.numeric
    model = engine.fit(starts, outcomes)
    low, high = model.quantiles(np.array([prior]), RANGE)[0]
    # Chances are per band: for a score, the band each earlier outcome fell in.
    band_values = np.array([_band_for(bands, v).value for v in outcomes]) if numeric else outcomes
    graded = engine.fit(starts, band_values)
    values, probabilities = graded.probabilities(np.array([prior]))
    chance = dict(zip(values.tolist(), probabilities[0].tolist(), strict=True))
    return Estimate(
        outcome=f"end of year ({outcome_point.scale.name})",
        low=f"{low:g}" if numeric else _band_for(bands, low).code,
        high=f"{high:g}" if numeric else _band_for(bands, high).code,
        chances=[(b.code, chance.get(b.value, 0.0)) for b in bands],
        cohort=model.size,
        prior=f"{prior:g}" if prior_numeric else _band_for(prior_bands, prior).code,
    )
