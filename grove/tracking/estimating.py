"""End-of-year estimates for a pupil, learnt from the trust's earlier cohorts: "pupils with
similar starting points went on to…". Always a range with chances, never a single target."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

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


def _values(
    point: CollectionPoint, pupil_ids: set[int] | None = None
) -> dict[tuple[int, int], float]:
    """(pupil, subject) -> the value on the point's common scale."""
    query = Result.objects.filter(point=point)
    if pupil_ids is not None:
        query = query.filter(pupil_id__in=pupil_ids)
    if point.scale.numeric:
        rows = query.values_list("pupil_id", "subject_id", "value")
    else:
        rows = query.values_list("pupil_id", "subject_id", "common_band__value")
    return {(p, s): v for p, s, v in rows}


def estimates_for(pupil: Pupil, school: School, year: AcademicYear) -> dict[int, Estimate]:
    """For each subject the pupil has a judgement in at the end of last year: the range and
    chances of their end-of-year judgement this year."""
    finals = _final_points(school.trust_id)
    last_year = finals.get(year.start_year - 1)
    outcome_point = finals.get(year.start_year) or last_year
    if last_year is None or outcome_point is None:
        return {}
    enrolment = Enrolment.objects.filter(pupil=pupil, academic_year=year).first()
    if enrolment is None:
        return {}
    prior_now = {s: v for (_, s), v in _values(last_year, {pupil.pk}).items()}
    if not prior_now:
        return {}
    # Earlier cohorts: pupils in the same year group in an earlier year, with the end of the
    # year before (their starting point) and the end of that year (their outcome).
    pairs: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for start_year, point in finals.items():
        before = finals.get(start_year - 1)
        if start_year >= year.start_year or before is None:
            continue
        if point.scale_id != outcome_point.scale_id or before.scale_id != last_year.scale_id:
            continue
        cohort = set(
            Enrolment.objects.filter(
                academic_year__start_year=start_year,
                year_group=enrolment.year_group,
                school__trust_id=school.trust_id,
            ).values_list("pupil_id", flat=True)
        )
        starts = _values(before, cohort)
        outcomes = _values(point, cohort)
        for key, outcome in outcomes.items():
            if key in starts:
                pairs[key[1]][0].append(starts[key])
                pairs[key[1]][1].append(outcome)
    bands = list(Band.objects.filter(scale_id=outcome_point.scale_id).order_by("value"))
    prior_bands = list(Band.objects.filter(scale_id=last_year.scale_id).order_by("value"))
    found: dict[int, Estimate] = {}
    for subject_id, prior in prior_now.items():
        history = pairs.get(subject_id)
        if history is None or len(history[0]) < MIN_HISTORY:
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
