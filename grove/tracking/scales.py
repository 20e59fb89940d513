"""The built-in assessment scales every trust starts with, as plain data (no database)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BandSpec:
    code: str  # what a teacher types
    label: str
    value: float  # the band's numeric value; for a numeric scale, its lower bound


@dataclass(frozen=True)
class ScaleSpec:
    key: str
    name: str
    numeric: bool  # results are numbers (a scaled score) rather than band codes
    minimum: float | None
    maximum: float | None
    expected: str | None  # code of the band that is the expected standard, if there is one
    bands: tuple[BandSpec, ...]
    description: str = ""


def _b(code: str, label: str, value: float) -> BandSpec:
    return BandSpec(code=code, label=label, value=value)


BUILT_IN: tuple[ScaleSpec, ...] = (
    ScaleSpec(
        key="ks2_scaled",
        name="KS2 scaled score",
        numeric=True,
        minimum=80,
        maximum=120,
        expected="EXS",
        bands=(
            _b("BLW", "Below the expected standard (80–99)", 80),
            _b("EXS", "Expected standard (100–109)", 100),
            _b("HS", "High score (110–120)", 110),
        ),
        description="Key stage 2 tests: 80 to 120, with 100 the expected standard.",
    ),
    ScaleSpec(
        key="teacher_assessment",
        name="Teacher assessment",
        numeric=False,
        minimum=None,
        maximum=None,
        expected="EXS",
        bands=(
            _b("PK1", "Pre-key stage 1", 1),
            _b("PK2", "Pre-key stage 2", 2),
            _b("PK3", "Pre-key stage 3", 3),
            _b("PK4", "Pre-key stage 4", 4),
            _b("PK5", "Pre-key stage 5", 5),
            _b("PK6", "Pre-key stage 6", 6),
            _b("WTS", "Working towards the expected standard", 7),
            _b("EXS", "Working at the expected standard", 8),
            _b("GDS", "Working at greater depth", 9),
        ),
        description="Pre-key-stage standards, then working towards, at, and at greater depth.",
    ),
    ScaleSpec(
        key="gcse",
        name="GCSE 9–1",
        numeric=False,
        minimum=None,
        maximum=None,
        expected="4",
        bands=(
            _b("U", "U (ungraded)", 0),
            *tuple(_b(str(g), f"Grade {g}", g) for g in range(1, 10)),
        ),
        description="Grades 9 to 1 and U; grade 4 is a standard pass.",
    ),
    ScaleSpec(
        key="a_level",
        name="A level",
        numeric=False,
        minimum=None,
        maximum=None,
        expected="E",
        bands=(
            _b("U", "U (ungraded)", 0),
            _b("E", "E", 1),
            _b("D", "D", 2),
            _b("C", "C", 3),
            _b("B", "B", 4),
            _b("A", "A", 5),
            _b("A*", "A*", 6),
        ),
        description="A* to E and U; E is a pass.",
    ),
    ScaleSpec(
        key="eyfs",
        name="EYFS early learning goal",
        numeric=False,
        minimum=None,
        maximum=None,
        expected="EXP",
        bands=(_b("EM", "Emerging", 1), _b("EXP", "Expected", 2)),
        description="The early years foundation stage profile: emerging or expected.",
    ),
    ScaleSpec(
        key="phonics",
        name="Phonics screening check",
        numeric=True,
        minimum=0,
        maximum=40,
        expected="MET",
        bands=(_b("NM", "Not met (0–31)", 0), _b("MET", "Met the standard (32–40)", 32)),
        description="Marks out of 40; 32 meets the standard.",
    ),
    ScaleSpec(
        key="mtc",
        name="Multiplication tables check",
        numeric=True,
        minimum=0,
        maximum=25,
        expected=None,
        bands=(
            _b("0-14", "0 to 14", 0),
            _b("15-19", "15 to 19", 15),
            _b("20-24", "20 to 24", 20),
            _b("25", "Full marks (25)", 25),
        ),
        description="Marks out of 25; there is no pass mark, so no expected standard.",
    ),
    ScaleSpec(
        key="standardised",
        name="Standardised score",
        numeric=True,
        minimum=70,
        maximum=140,
        expected="AVG",
        bands=(
            _b("LOW", "Below average (70–84)", 70),
            _b("AVG", "Average (85–114)", 85),
            _b("HIGH", "Above average (115–140)", 115),
        ),
        description="Standardised tests: 100 is the national average, 85 to 114 is average.",
    ),
    ScaleSpec(
        key="steps",
        name="Steps within a year",
        numeric=False,
        minimum=None,
        maximum=None,
        expected="S",
        bands=(
            _b("B", "Beginning", 1),
            _b("B+", "Beginning+", 2),
            _b("W", "Working within", 3),
            _b("W+", "Working within+", 4),
            _b("S", "Secure", 5),
            _b("S+", "Secure+ (greater depth)", 6),
        ),
        description="Six steps through the year's curriculum; secure is the expected standard.",
    ),
)

BY_KEY = {spec.key: spec for spec in BUILT_IN}
