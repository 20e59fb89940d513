"""Outcome estimates as ranges and chances, from how pupils with similar starting points did."""

from __future__ import annotations

import contextlib
import csv
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

DEFAULT_QUANTILES: tuple[float, ...] = (0.1, 0.5, 0.9)
# An outcome with this many distinct values or fewer in the history is graded (GCSE grades,
# judgements): its estimate includes the chance of each value.
MAX_GRADES = 20
# How many earlier pupils make up "pupils with similar starting points": 5 * sqrt(n), at
# least 50. Tried on real data (tests/data), results barely change between 2 and 8 * sqrt(n);
# fewer makes ranges jumpy, many more blurs pupils with different starting points together.
MIN_NEIGHBOURS = 50
NEIGHBOURS_PER_ROOT = 5.0
# Each graded estimate is blended with one imaginary pupil spread over the whole history, so
# that no outcome the trust has seen is ever given a chance of exactly zero.
SMOOTHING = 1.0
# Quantiles and chances are written with this many significant digits.
SIGNIFICANT_DIGITS = 12
# Each estimate mixes two readings of the history: pupils with similar starting points (weight
# w) and the trust-wide straight line with a bell-curve spread (weight 1 - w). fit() tries each
# w below on the history itself, a fifth of the pupils (drawn at random) held out in turn,
# and keeps the smallest w that did as well as the best, give or take one standard error.
BLEND_WEIGHTS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
CHECK_FOLDS = 5
# Below this many earlier pupils there is too little to check with: similar pupils only (w = 1).
MIN_CHECK_ROWS = 50
# Above this many, the check uses this many earlier pupils, a fixed sample, to stay fast.
MAX_CHECK_ROWS = 20_000


class EstimateInputError(ValueError):
    """A problem with an input file, located as a spreadsheet user sees it (header = row 1)."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


# --- the model ----------------------------------------------------------------------------------
class _OrderStatistics:
    """The k-th smallest value of any slice of a fixed array of 0..n-1, in O(log n) per query.

    A wavelet matrix: one bit of the values per level, with counts of zero bits before each
    position, so a whole batch of queries walks down the levels together in numpy.
    """

    def __init__(self, values: IntArray) -> None:
        self.levels: list[tuple[int, IntArray, int]] = []
        current = values
        for bit in range(max(int(values.max(initial=0)).bit_length(), 1) - 1, -1, -1):
            ones = ((current >> bit) & 1).astype(bool)
            zeros_before = np.zeros(current.size + 1, dtype=np.int64)
            np.cumsum(~ones, out=zeros_before[1:])
            self.levels.append((bit, zeros_before, int(zeros_before[-1])))
            current = np.concatenate((current[~ones], current[ones]))

    def kth(self, start: IntArray, end: IntArray, k: IntArray) -> IntArray:
        """The k-th smallest (0-based) of values[start:end], for arrays of queries."""
        start, end, k = start.copy(), end.copy(), k.copy()
        found = np.zeros(start.shape, dtype=np.int64)
        for bit, zeros_before, zeros_total in self.levels:
            zeros_to_start = zeros_before[start]
            zeros_to_end = zeros_before[end]
            zeros = zeros_to_end - zeros_to_start
            left = k < zeros
            start = np.where(left, zeros_to_start, zeros_total + start - zeros_to_start)
            end = np.where(left, zeros_to_end, zeros_total + end - zeros_to_end)
            k = np.where(left, k, k - zeros)
            found |= (~left).astype(np.int64) << bit
        return found


class Model:
    """Earlier pupils' starting points and outcomes, ready to estimate from; build with fit()."""

    def __init__(
        self,
        prior: FloatArray,
        outcome: FloatArray,
        *,
        neighbours: int,
        max_grades: int = MAX_GRADES,
        smoothing: float = SMOOTHING,
        weight: float | None = None,
    ) -> None:
        # Sorting by prior, then outcome, makes everything below independent of row order.
        order = np.lexsort((outcome, prior))
        self.prior: FloatArray = prior[order]
        self.outcome: FloatArray = outcome[order]
        self.neighbours = max(1, min(neighbours, self.prior.size))
        self.max_grades = max_grades
        self.smoothing = smoothing
        self.lowest = float(self.outcome.min())
        self.highest = float(self.outcome.max())
        distinct = np.unique(self.outcome)
        self.values: FloatArray | None = distinct if distinct.size <= max_grades else None
        self.slope = 0.0
        if self.values is not None:
            codes = np.searchsorted(self.values, self.outcome)
            one_hot = np.zeros((codes.size + 1, self.values.size), dtype=np.int64)
            one_hot[np.arange(1, codes.size + 1), codes] = 1
            self._counts_before: IntArray = np.cumsum(one_hot, axis=0)
            self._overall: FloatArray = self._counts_before[-1] / codes.size
        else:
            # Neighbours' starting points differ a little from the pupil's own; each one's
            # outcome is moved along the trust-wide trend line by that difference.
            spread = float(np.var(self.prior))
            if spread > 0:
                centred = self.prior - self.prior.mean()
                self.slope = float(np.mean(centred * self.outcome)) / spread
            residual = self.outcome - self.slope * self.prior
            by_residual = np.argsort(residual, kind="stable")
            self._sorted_residual: FloatArray = residual[by_residual]
            rank = np.empty(residual.size, dtype=np.int64)
            rank[by_residual] = np.arange(residual.size)
            self._order_statistics = _OrderStatistics(rank)
        # The share of the estimate from similar pupils; the rest is the straight line's.
        self.weight = _check_weight(self) if weight is None else float(weight)
        self.line: LinearNormal | None = None
        if self.weight < 1:
            self.line = linear_normal_baseline(self.prior, self.outcome, max_grades=max_grades)

    @property
    def is_graded(self) -> bool:
        """Whether the outcome takes few enough values to give the chance of each."""
        return self.values is not None

    @property
    def size(self) -> int:
        """How many earlier pupils the model learnt from."""
        return int(self.prior.size)

    def neighbourhoods(self, prior: ArrayLike) -> tuple[IntArray, IntArray]:
        """For each starting point, the slice [start, end) of earlier pupils (sorted by prior)
        who make up "pupils with similar starting points".

        That is the `neighbours` earlier pupils whose starting points are nearest, and everyone
        exactly as near as the farthest of them, so ties never depend on row order.
        """
        u = _finite_vector(prior, "prior")
        p, k = self.prior, self.neighbours
        n = p.size
        # The k nearest start where the pupil just past the window stops being nearer than the
        # window's first (u - p falls and p - u rises as the start moves right).
        start = _first_true(
            np.zeros(u.size, dtype=np.int64),
            np.full(u.size, n - k, dtype=np.int64),
            lambda i: u - p[i] <= p[np.minimum(i + k, n - 1)] - u,
        )
        end = start + k
        reach = np.maximum(np.abs(p[start] - u), np.abs(p[end - 1] - u))
        # Widen to everyone as near as the farthest; distances only grow away from the window.
        start = _first_true(np.zeros_like(start), start, lambda i: np.abs(p[i] - u) <= reach)
        end = _first_true(end, np.full_like(end, n), lambda i: np.abs(p[i] - u) > reach)
        return start.astype(np.int64), end.astype(np.int64)

    def quantiles(self, prior: ArrayLike, levels: Sequence[float]) -> FloatArray:
        """One row per starting point, one column per level (0.1 = 10th percentile)."""
        qs = np.asarray(_check_levels(levels), dtype=np.float64)
        u, inverse = np.unique(_finite_vector(prior, "prior"), return_inverse=True)
        order = np.argsort(qs, kind="stable")
        result = np.empty((u.size, qs.size), dtype=np.float64)
        if self.values is not None:
            cdf = np.cumsum(self._probabilities(u), axis=1)
            for column in order:
                # The lowest grade whose cumulative chance reaches the level.
                reached = cdf >= qs[column] - 1e-12
                reached[:, -1] = True
                result[:, column] = self.values[np.argmax(reached, axis=1)]
        else:
            result[:] = 0.0
            if self.weight > 0:
                result += self.weight * self._neighbour_quantiles(u, qs)
            if self.line is not None and self.weight < 1:
                result += (1 - self.weight) * self.line.quantiles(u, levels)
            np.clip(result, self.lowest, self.highest, out=result)
        # Guard against rounding making a higher level a hair lower than the one before.
        result[:, order] = np.maximum.accumulate(result[:, order], axis=1)
        return result[inverse.reshape(-1)]

    def probabilities(self, prior: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """The outcome values and, for each starting point, the chance of each (rows sum to 1)."""
        if self.values is None:
            raise ValueError(
                f"the outcome takes more than {self.max_grades} values, so it has no chances "
                "per value"
            )
        u, inverse = np.unique(_finite_vector(prior, "prior"), return_inverse=True)
        return self.values.copy(), self._probabilities(u)[inverse.reshape(-1)]

    def _neighbour_quantiles(self, unique_prior: FloatArray, qs: FloatArray) -> FloatArray:
        """Quantiles of similar pupils' outcomes, each moved along the trend line."""
        start, end = self.neighbourhoods(unique_prior)
        last = end - start - 1
        result = np.empty((unique_prior.size, qs.size), dtype=np.float64)
        for column, level in enumerate(qs):
            # Linear interpolation between order statistics (numpy's default quantile).
            position = last * level
            below = np.floor(position).astype(np.int64)
            above = np.minimum(below + 1, last)
            fraction = position - below
            low = self._sorted_residual[self._order_statistics.kth(start, end, below)]
            high = self._sorted_residual[self._order_statistics.kth(start, end, above)]
            result[:, column] = low + fraction * (high - low) + self.slope * unique_prior
        return result

    def _probabilities(self, unique_prior: FloatArray) -> FloatArray:
        start, end = self.neighbourhoods(unique_prior)
        counts = (self._counts_before[end] - self._counts_before[start]).astype(np.float64)
        size = (end - start).astype(np.float64)
        if self.line is not None and self.weight < 1:
            # The mix of similar pupils' shares and the line's chances, counted as if it came
            # from as many pupils as the neighbourhood, so smoothing weighs the same.
            counts = self.weight * counts + (1 - self.weight) * size[:, None] * (
                _line_probabilities(self.line, unique_prior)
            )
        return (counts + self.smoothing * self._overall) / (size + self.smoothing)[:, None]


def default_neighbours(size: int) -> int:
    """How many earlier pupils count as "similar starting points" in a history of this size."""
    return min(size, max(MIN_NEIGHBOURS, round(NEIGHBOURS_PER_ROOT * math.sqrt(size))))


def fit(
    prior: ArrayLike,
    outcome: ArrayLike,
    *,
    neighbours: int | None = None,
    max_grades: int = MAX_GRADES,
    smoothing: float = SMOOTHING,
) -> Model:
    """Learn from earlier pupils' starting points and outcomes (one pair per pupil)."""
    p = _finite_vector(prior, "prior")
    y = _finite_vector(outcome, "outcome")
    if p.size != y.size:
        raise ValueError(f"{p.size} starting points but {y.size} outcomes")
    if p.size == 0:
        raise ValueError("there are no earlier pupils to learn from")
    if neighbours is None:
        neighbours = default_neighbours(p.size)
    if neighbours < 1:
        raise ValueError("neighbours must be at least 1")
    if smoothing < 0:
        raise ValueError("smoothing cannot be negative")
    return Model(
        p.copy(),
        y.copy(),
        neighbours=min(neighbours, p.size),
        max_grades=max_grades,
        smoothing=smoothing,
    )


@dataclass(frozen=True)
class Estimates:
    """Ranges (and, for a graded outcome, chances) for a list of pupils, in their order."""

    levels: tuple[float, ...]
    quantiles: FloatArray
    values: FloatArray | None = None
    probabilities: FloatArray | None = None


def estimate(
    model: Model, prior: ArrayLike, levels: Sequence[float] = DEFAULT_QUANTILES
) -> Estimates:
    """Everything Grove shows for these starting points: the range, and chances if graded."""
    levels = _check_levels(levels)
    quantiles = model.quantiles(prior, levels)
    if not model.is_graded:
        return Estimates(levels, quantiles)
    values, probabilities = model.probabilities(prior)
    return Estimates(levels, quantiles, values, probabilities)


# --- the linear baseline and scores -------------------------------------------------------------
@dataclass(frozen=True)
class LinearNormal:
    """A straight line from starting point to outcome with normal errors: what we must beat."""

    intercept: float
    slope: float
    sd: float
    values: FloatArray | None

    @property
    def is_graded(self) -> bool:
        return self.values is not None

    def quantiles(self, prior: ArrayLike, levels: Sequence[float]) -> FloatArray:
        centre = self.intercept + self.slope * _finite_vector(prior, "prior")
        z = np.array([NormalDist().inv_cdf(q) for q in _check_levels(levels)])
        return centre[:, None] + self.sd * z[None, :]

    def probabilities(self, prior: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Each value's chance: the normal's mass between the midpoints to its neighbours."""
        if self.values is None:
            raise ValueError("the outcome is not graded")
        centre = self.intercept + self.slope * _finite_vector(prior, "prior")
        cuts = (self.values[1:] + self.values[:-1]) / 2
        z = (cuts[None, :] - centre[:, None]) / max(self.sd, 1e-12)
        cdf = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
        edges = np.hstack((np.zeros((centre.size, 1)), cdf, np.ones((centre.size, 1))))
        return self.values.copy(), np.diff(edges, axis=1)


def linear_normal_baseline(
    prior: ArrayLike, outcome: ArrayLike, *, max_grades: int = MAX_GRADES
) -> LinearNormal:
    """Ordinary least squares, with the residuals' standard deviation as the normal's spread."""
    p = _finite_vector(prior, "prior")
    y = _finite_vector(outcome, "outcome")
    design = np.column_stack((np.ones_like(p), p))
    (intercept, slope), *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ np.array([intercept, slope])
    sd = math.sqrt(float(residual @ residual) / max(y.size - 2, 1))
    distinct = np.unique(y)
    values = distinct if distinct.size <= max_grades else None
    return LinearNormal(float(intercept), float(slope), sd, values)


def pinball_loss(outcome: ArrayLike, quantiles: ArrayLike, levels: Sequence[float]) -> float:
    """Mean quantile (pinball) loss over pupils and levels: lower is sharper and truer."""
    y = _finite_vector(outcome, "outcome")
    error = y[:, None] - np.asarray(quantiles, dtype=np.float64)
    q = np.asarray(levels, dtype=np.float64)[None, :]
    return float(np.mean(np.maximum(q * error, (q - 1) * error)))


def ranked_probability_score(
    outcome: ArrayLike, values: ArrayLike, probabilities: ArrayLike
) -> float:
    """Mean ranked probability score of graded estimates: 0 is perfect, lower is better."""
    y = _finite_vector(outcome, "outcome")
    v = np.asarray(values, dtype=np.float64)
    cdf = np.cumsum(np.asarray(probabilities, dtype=np.float64), axis=1)[:, :-1]
    happened = (y[:, None] <= v[None, :-1]).astype(np.float64)
    return float(np.mean(np.sum((cdf - happened) ** 2, axis=1)))


def coverage(outcome: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """The share of outcomes inside their range, ends included."""
    y = _finite_vector(outcome, "outcome")
    return float(np.mean((y >= np.asarray(lower)) & (y <= np.asarray(upper))))


# --- files --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class History:
    """Earlier pupils from a history file: `id,prior,outcome`."""

    ids: list[str]
    prior: FloatArray
    outcome: FloatArray


@dataclass(frozen=True)
class Current:
    """Pupils to estimate for, from a current file: `id,prior`."""

    ids: list[str]
    prior: FloatArray


def read_history(path: str | os.PathLike[str]) -> History:
    """Read and check a history file; EstimateInputError says what is wrong and where."""
    ids, columns = _read_table(path, ("prior", "outcome"))
    if not ids:
        raise EstimateInputError(
            str(path), None, None, "has no pupils, so there is nothing to learn from"
        )
    return History(ids, columns["prior"], columns["outcome"])


def read_current(path: str | os.PathLike[str]) -> Current:
    """Read and check a current file; ids must be unique."""
    ids, columns = _read_table(path, ("prior",), unique_ids=True)
    return Current(ids, columns["prior"])


def parse_quantiles(text: str) -> tuple[float, ...]:
    """'0.1,0.5,0.9' -> (0.1, 0.5, 0.9), sorted; ValueError says what is wrong."""
    levels: list[float] = []
    for part in text.split(","):
        item = part.strip()
        try:
            level = float(item)
        except ValueError:
            raise ValueError(f"'{item}' is not a number") from None
        if not 0 < level < 1:
            raise ValueError(f"'{item}' is not between 0 and 1 (both excluded)")
        levels.append(level)
    return _check_levels(sorted(levels))


def quantile_column(level: float) -> str:
    """The output column of a level: 0.1 -> 'q10', 0.025 -> 'q2.5'."""
    return "q" + _format(round(level * 100, 9))


def value_column(value: float) -> str:
    """The output column of an outcome value's chance: 4.0 -> 'p_4', 6.5 -> 'p_6.5'."""
    return "p_" + _format(value)


def write_estimates(path: str | os.PathLike[str], ids: Sequence[str], estimates: Estimates) -> None:
    """Write one row per pupil; the file appears whole or not at all."""
    target = Path(path)
    header = ["id", *(quantile_column(level) for level in estimates.levels)]
    cells = [_format_column(estimates.quantiles[:, j]) for j in range(len(estimates.levels))]
    if estimates.values is not None and estimates.probabilities is not None:
        header += [value_column(float(value)) for value in estimates.values]
        cells += [
            _format_column(estimates.probabilities[:, j]) for j in range(estimates.values.size)
        ]
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(zip(ids, *cells, strict=True))
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        raise


# --- helpers ------------------------------------------------------------------------------------
def _check_weight(model: Model) -> float:
    """The weight of similar pupils (against the straight line) that estimated best on the
    history itself: each fold of earlier pupils is estimated from the others, and each pupil
    scored with pinball loss (scores) or ranked probability score (grades).

    The smallest weight that did as well as the best, give or take one standard error of the
    difference, wins: the straight line is the simpler reading, so similar pupils must earn
    their share by doing clearly better.
    """
    n = model.size
    if n < MIN_CHECK_ROWS or model.prior[0] == model.prior[-1]:
        return 1.0  # too few pupils to check with, or no trend to draw a line along
    # Folds (and, for a long history, the sample) are drawn at random with a fixed seed from
    # the history sorted by prior and outcome, so the choice never depends on row order. (Not
    # every fifth pupil in that order: that would spread each starting point's outcomes evenly
    # over the folds, flattering similar pupils.)
    shuffled = np.random.default_rng(0).permutation(n)[: min(n, MAX_CHECK_ROWS)]
    prior, outcome = model.prior[shuffled], model.outcome[shuffled]
    fold = np.arange(prior.size) % CHECK_FOLDS
    # A fold of a scored outcome can happen to hold few enough values to look graded: not so.
    max_grades = model.max_grades if model.is_graded else 0
    weights = np.array(BLEND_WEIGHTS)
    loss = np.empty((weights.size, prior.size), dtype=np.float64)  # per weight, per pupil
    for held in range(CHECK_FOLDS):
        train, test = fold != held, fold == held
        size = int(train.sum())
        part = Model(
            prior[train],
            outcome[train],
            neighbours=max(1, round(model.neighbours * math.sqrt(size / n))),
            max_grades=max_grades,
            smoothing=model.smoothing,
            weight=1.0,
        )
        line = linear_normal_baseline(prior[train], outcome[train], max_grades=max_grades)
        u, inverse = np.unique(prior[test], return_inverse=True)
        back = inverse.reshape(-1)
        y = outcome[test]
        if model.values is not None and part.values is not None and line.values is not None:
            # Scored on the whole history's grades, so a grade missing from a fold still counts.
            near = _regrade(part._probabilities(u), part.values, model.values)[back]
            far = _regrade(_line_probabilities(line, u), line.values, model.values)[back]
            happened = (y[:, None] <= model.values[None, :-1]).astype(np.float64)
            for i, w in enumerate(weights):
                cdf = np.cumsum(w * near + (1 - w) * far, axis=1)[:, :-1]
                loss[i, test] = np.sum((cdf - happened) ** 2, axis=1)
        else:
            levels = np.array(DEFAULT_QUANTILES)
            near = part._neighbour_quantiles(u, levels)[back]
            far = line.quantiles(u, DEFAULT_QUANTILES)[back]
            for i, w in enumerate(weights):
                blend = np.clip(w * near + (1 - w) * far, part.lowest, part.highest)
                error = y[:, None] - blend
                loss[i, test] = np.mean(np.maximum(levels * error, (levels - 1) * error), axis=1)
    best = int(np.argmin(loss.mean(axis=1)))
    for i in range(weights.size):
        difference = loss[i] - loss[best]
        if difference.mean() <= difference.std() / math.sqrt(difference.size):
            return float(weights[i])
    return float(weights[best])  # pragma: no cover - the best always passes


def _regrade(chances: FloatArray, values: FloatArray, all_values: FloatArray) -> FloatArray:
    """Chances over some of the values, spread out over all of them (the rest get zero)."""
    result = np.zeros((chances.shape[0], all_values.size), dtype=np.float64)
    result[:, np.searchsorted(all_values, values)] = chances
    return result


_erf = np.frompyfunc(math.erf, 1, 1)


def _line_probabilities(line: LinearNormal, unique_prior: FloatArray) -> FloatArray:
    """The straight line's chance of each grade (as LinearNormal.probabilities), for many
    pupils at once."""
    assert line.values is not None
    centre = line.intercept + line.slope * unique_prior
    cuts = (line.values[1:] + line.values[:-1]) / 2
    z = (cuts[None, :] - centre[:, None]) / max(line.sd, 1e-12)
    cdf = 0.5 * (1 + np.asarray(_erf(z / math.sqrt(2)), dtype=np.float64))
    edges = np.hstack((np.zeros((centre.size, 1)), cdf, np.ones((centre.size, 1))))
    return np.diff(edges, axis=1)


def _first_true(low: IntArray, high: IntArray, holds: Callable[[IntArray], BoolArray]) -> IntArray:
    """For each query, the first index in [low, high) where `holds` (false, then true) is true,
    or high if none: a binary search for a whole batch at once."""
    low, high = low.copy(), high.copy()
    while True:
        active = low < high
        if not active.any():
            return low
        middle = np.where(active, (low + high) // 2, 0)  # 0: always a valid index
        true = holds(middle) & active
        high = np.where(true, middle, high)
        low = np.where(active & ~true, middle + 1, low)


def _finite_vector(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a list of numbers")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite numbers")
    return array


def _check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    checked = tuple(float(level) for level in levels)
    if not checked:
        raise ValueError("give at least one quantile")
    for level in checked:
        if not 0 < level < 1:
            raise ValueError(f"quantile {level!r} is not between 0 and 1 (both excluded)")
    names = [quantile_column(level) for level in checked]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"quantile {name[1:]}% is given twice")
    return checked


def _format(number: float) -> str:
    if float(number).is_integer():
        return str(int(number))
    return f"{number:.{SIGNIFICANT_DIGITS}g}"


def _format_column(column: FloatArray) -> list[str]:
    # Many pupils share a starting point and so an estimate: format each distinct number once.
    distinct, inverse = np.unique(column, return_inverse=True)
    text = [_format(float(number)) for number in distinct]
    return [text[i] for i in inverse.reshape(-1)]


def _read_table(
    path: str | os.PathLike[str], numeric: tuple[str, ...], *, unique_ids: bool = False
) -> tuple[list[str], dict[str, FloatArray]]:
    name = str(path)
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise EstimateInputError(name, None, None, f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise EstimateInputError(name, None, None, "is not a UTF-8 CSV file") from None
    except csv.Error as error:
        raise EstimateInputError(name, None, None, f"is not a valid CSV file ({error})") from None
    if not rows:
        raise EstimateInputError(name, 1, None, "the file is empty; it needs a header row")
    header = [cell.strip().lower() for cell in rows[0]]
    wanted = ("id", *numeric)
    where: dict[str, int] = {}
    for column in wanted:
        if column not in header:
            found = ", ".join(f"'{cell}'" for cell in rows[0]) or "nothing"
            raise EstimateInputError(
                name, 1, column, f"this column is missing (the header has {found})"
            )
        where[column] = header.index(column)
    ids: list[str] = []
    numbers: dict[str, list[float]] = {column: [] for column in numeric}
    first_row: dict[str, int] = {}
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of a spreadsheet export
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise EstimateInputError(
                name, row_number, None, f"has {len(row)} values but the header has {len(header)}"
            )
        pupil = row[where["id"]].strip() if where["id"] < len(row) else ""
        if not pupil:
            raise EstimateInputError(name, row_number, "id", "the value is missing")
        if unique_ids:
            if pupil in first_row:
                raise EstimateInputError(
                    name, row_number, "id", f"'{pupil}' is also in row {first_row[pupil]}"
                )
            first_row[pupil] = row_number
        ids.append(pupil)
        for column in numeric:
            index = where[column]
            text = row[index].strip() if index < len(row) else ""
            numbers[column].append(_number(text, name, row_number, column))
    return ids, {column: np.array(numbers[column], dtype=np.float64) for column in numeric}


def _number(text: str, file: str, row: int, column: str) -> float:
    if not text:
        raise EstimateInputError(file, row, column, "the value is missing")
    try:
        number = float(text)
    except ValueError:
        raise EstimateInputError(file, row, column, f"'{text}' is not a number") from None
    if not math.isfinite(number):
        raise EstimateInputError(file, row, column, f"'{text}' is not a number")
    return number
