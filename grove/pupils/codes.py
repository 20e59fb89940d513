"""The DfE's code lists Grove checks pupil data against: UPNs, year groups, census codes."""

from __future__ import annotations

import re

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


class UPNError(ValueError):
    """Why a string is not a valid unique pupil number."""


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (weights 2 to 13, modulo 23)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char))
    return UPN_CHECK_LETTERS[total % 23]


def validate_upn(raw: str) -> tuple[str, bool]:
    """Return the normalised UPN and whether it is temporary, or raise UPNError saying why."""
    upn = raw.strip().upper()
    if len(upn) != 13:
        raise UPNError(f"A UPN has 13 characters; {raw!r} has {len(upn)}.")
    if not _UPN_SHAPE.match(upn):
        raise UPNError(
            f"{raw!r} is not shaped like a UPN: a check letter, 11 digits, then a digit "
            "(or a letter for a temporary UPN)."
        )
    if upn[12].isalpha() and upn[12] not in UPN_CHECK_LETTERS:
        raise UPNError(f"{raw!r} ends in {upn[12]!r}, which UPNs never use (I, O and S are not).")
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        raise UPNError(f"{raw!r} fails the DfE check: its check letter should be {expected!r}.")
    return upn, upn[12].isalpha()


def make_upn(body: str) -> str:
    """A valid UPN for 12 characters (used by the demo and the tests)."""
    return upn_check_letter(body) + body


YEAR_GROUPS: list[tuple[str, str]] = [
    ("N1", "Nursery 1"),
    ("N2", "Nursery 2"),
    ("R", "Reception"),
    *[(str(n), f"Year {n}") for n in range(1, 15)],
]
YEAR_GROUP_ORDER = {code: index for index, (code, _) in enumerate(YEAR_GROUPS)}

SEN_PROVISION = [("N", "No special educational need"), ("K", "SEN support"), ("E", "EHC plan")]

# School census SEN type of need codes.
SEN_NEEDS = [
    ("SPLD", "Specific learning difficulty"),
    ("MLD", "Moderate learning difficulty"),
    ("SLD", "Severe learning difficulty"),
    ("PMLD", "Profound and multiple learning difficulty"),
    ("SEMH", "Social, emotional and mental health"),
    ("SLCN", "Speech, language and communication needs"),
    ("HI", "Hearing impairment"),
    ("VI", "Vision impairment"),
    ("MSI", "Multi-sensory impairment"),
    ("PD", "Physical disability"),
    ("ASD", "Autistic spectrum disorder"),
    ("OTH", "Other difficulty or disability"),
    ("NSA", "SEN support but no specialist assessment of type of need"),
]

SEX = [("F", "Female"), ("M", "Male")]

# A working subset of the census first-language codes; the full list is long and rarely needed.
FIRST_LANGUAGES = [
    ("ENG", "English"),
    ("ENB", "Believed to be English"),
    ("OTH", "Other than English"),
    ("OTB", "Believed to be other than English"),
    ("REF", "Refused"),
    ("NOT", "Information not obtained"),
    ("AKA", "Akan (Twi/Fante)"),
    ("ALB", "Albanian/Shqip"),
    ("AMR", "Amharic"),
    ("ARA", "Arabic"),
    ("BNG", "Bengali"),
    ("BSL", "British Sign Language"),
    ("BUL", "Bulgarian"),
    ("CHI", "Chinese"),
    ("CZE", "Czech"),
    ("DUT", "Dutch/Flemish"),
    ("FAR", "Persian/Farsi"),
    ("FRN", "French"),
    ("GER", "German"),
    ("GRE", "Greek"),
    ("GUJ", "Gujarati"),
    ("HIN", "Hindi"),
    ("HUN", "Hungarian"),
    ("IGB", "Igbo"),
    ("ITA", "Italian"),
    ("JPN", "Japanese"),
    ("KUR", "Kurdish"),
    ("LIT", "Lithuanian"),
    ("LAT", "Latvian"),
    ("MAL", "Malayalam"),
    ("NEP", "Nepali"),
    ("PAN", "Panjabi"),
    ("PAS", "Pashto/Pakhto"),
    ("POL", "Polish"),
    ("POR", "Portuguese"),
    ("PHL", "Tagalog/Filipino"),
    ("ROM", "Romanian"),
    ("RUS", "Russian"),
    ("SOM", "Somali"),
    ("SPA", "Spanish"),
    ("SLO", "Slovak"),
    ("TAM", "Tamil"),
    ("TGE", "Tigrinya"),
    ("TUR", "Turkish"),
    ("UKR", "Ukrainian"),
    ("URD", "Urdu"),
    ("VIE", "Vietnamese"),
    ("WEL", "Welsh/Cymraeg"),
    ("YOR", "Yoruba"),
]
ENGLISH_LANGUAGE_CODES = frozenset({"ENG", "ENB"})
