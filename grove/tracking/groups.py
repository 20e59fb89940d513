"""Pupil groups for filtering tracking figures, packed into a bitmask kept on each result."""

from __future__ import annotations

import functools
from dataclasses import dataclass

PP = 1
SEN_K = 2
SEN_E = 4
EAL = 8
FEMALE = 16
MALE = 32
PRIOR_LOW = 64
PRIOR_MID = 128
PRIOR_HIGH = 256


@dataclass(frozen=True)
class PupilGroup:
    key: str
    label: str
    dimension: str


# Each result feeds "all" and exactly one group of each dimension it has a value for.
PUPIL_GROUPS: tuple[PupilGroup, ...] = (
    PupilGroup("all", "All pupils", ""),
    PupilGroup("pp", "Pupil premium", "Pupil premium"),
    PupilGroup("not_pp", "Not pupil premium", "Pupil premium"),
    PupilGroup("sen_k", "SEN support (K)", "SEN"),
    PupilGroup("sen_e", "EHC plan (E)", "SEN"),
    PupilGroup("sen_n", "No SEN", "SEN"),
    PupilGroup("eal", "EAL", "EAL"),
    PupilGroup("not_eal", "Not EAL", "EAL"),
    PupilGroup("female", "Girls", "Sex"),
    PupilGroup("male", "Boys", "Sex"),
    PupilGroup("prior_low", "Prior attainment: below expected", "Prior attainment"),
    PupilGroup("prior_mid", "Prior attainment: at expected", "Prior attainment"),
    PupilGroup("prior_high", "Prior attainment: above expected", "Prior attainment"),
)
GROUP_LABELS = {g.key: g.label for g in PUPIL_GROUPS}

PRIOR_BITS = {"low": PRIOR_LOW, "mid": PRIOR_MID, "high": PRIOR_HIGH}


def mask_for(
    *, pupil_premium: bool, sen_provision: str, eal: bool, sex: str, prior: str | None
) -> int:
    """The bitmask for a pupil's groups; ``prior`` is "low", "mid", "high" or None."""
    mask = 0
    if pupil_premium:
        mask |= PP
    if sen_provision == "K":
        mask |= SEN_K
    elif sen_provision == "E":
        mask |= SEN_E
    if eal:
        mask |= EAL
    if sex == "F":
        mask |= FEMALE
    elif sex == "M":
        mask |= MALE
    if prior is not None:
        mask |= PRIOR_BITS[prior]
    return mask


@functools.cache
def keys_for(mask: int) -> tuple[str, ...]:
    """The pupil groups (rollup keys) a result with this mask counts in."""
    keys = ["all", "pp" if mask & PP else "not_pp"]
    keys.append("sen_k" if mask & SEN_K else "sen_e" if mask & SEN_E else "sen_n")
    keys.append("eal" if mask & EAL else "not_eal")
    if mask & FEMALE:
        keys.append("female")
    elif mask & MALE:
        keys.append("male")
    for name, bit in PRIOR_BITS.items():
        if mask & bit:
            keys.append(f"prior_{name}")
    return tuple(keys)


# How to pick a group's pupils out of results by their bitmask: (bits, whether set).
GROUP_TEST: dict[str, tuple[int, bool]] = {
    "pp": (PP, True),
    "not_pp": (PP, False),
    "sen_k": (SEN_K, True),
    "sen_e": (SEN_E, True),
    "sen_n": (SEN_K | SEN_E, False),
    "eal": (EAL, True),
    "not_eal": (EAL, False),
    "female": (FEMALE, True),
    "male": (MALE, True),
    "prior_low": (PRIOR_LOW, True),
    "prior_mid": (PRIOR_MID, True),
    "prior_high": (PRIOR_HIGH, True),
}
