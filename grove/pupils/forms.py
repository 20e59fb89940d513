"""Input validation for pupils and teaching groups: every message names its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from grove.core.models import User
from grove.pupils.codes import (
    ENGLISH_LANGUAGE_CODES,
    FIRST_LANGUAGES,
    SEN_NEEDS,
    SEN_PROVISION,
    SEX,
    YEAR_GROUPS,
    validate_upn,
)
from grove.pupils.models import GroupKind
from grove.pupils.queries import CHARACTERISTIC_FILTERS

_DATE = forms.DateInput(attrs={"type": "date"})


class PupilFilterForm(forms.Form):
    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    year_group = forms.ChoiceField(
        label="Year group", required=False, choices=[("", "All year groups"), *YEAR_GROUPS]
    )
    characteristic = forms.ChoiceField(
        label="Characteristic",
        required=False,
        choices=[("", "Any"), *[(k, v[0]) for k, v in CHARACTERISTIC_FILTERS.items()]],
    )


class CharacteristicsForm(forms.Form):
    sen_provision = forms.ChoiceField(label="SEN provision", choices=SEN_PROVISION, initial="N")
    sen_primary_need = forms.ChoiceField(
        label="SEN primary need", required=False, choices=[("", "None"), *SEN_NEEDS]
    )
    sen_secondary_need = forms.ChoiceField(
        label="SEN secondary need", required=False, choices=[("", "None"), *SEN_NEEDS]
    )
    fsm = forms.BooleanField(label="Free school meals", required=False)
    fsm_ever6 = forms.BooleanField(label="FSM Ever 6", required=False)
    pupil_premium = forms.BooleanField(label="Pupil premium", required=False)
    first_language = forms.ChoiceField(
        label="First language", choices=FIRST_LANGUAGES, initial="ENG"
    )
    looked_after = forms.BooleanField(label="Looked after", required=False)
    previously_looked_after = forms.BooleanField(label="Previously looked after", required=False)
    service_child = forms.BooleanField(label="Service child", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        provision = data.get("sen_provision")
        primary, secondary = data.get("sen_primary_need"), data.get("sen_secondary_need")
        if provision in {"K", "E"} and not primary:
            self.add_error("sen_primary_need", "SEN support and EHC plans need a primary need.")
        if provision == "N" and (primary or secondary):
            self.add_error("sen_primary_need", "A pupil with no SEN has no type of need.")
        if secondary and secondary == primary:
            self.add_error("sen_secondary_need", "The secondary need repeats the primary need.")
        if secondary and not primary:
            self.add_error("sen_secondary_need", "Give a primary need before a secondary one.")
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("valid_from", None)
        data["eal"] = data["first_language"] not in ENGLISH_LANGUAGE_CODES
        return data


class CharacteristicsChangeForm(CharacteristicsForm):
    valid_from = forms.DateField(label="From", widget=_DATE)

    def clean_valid_from(self) -> dt.date:
        day: dt.date = self.cleaned_data["valid_from"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date is in the future.")
        return day


class PupilForm(CharacteristicsForm):
    upn = forms.CharField(
        label="UPN", max_length=20, help_text="13 characters, e.g. A123456789012."
    )
    legal_first_name = forms.CharField(label="Legal first name", max_length=100)
    legal_last_name = forms.CharField(label="Legal last name", max_length=100)
    preferred_first_name = forms.CharField(
        label="Preferred first name", max_length=100, required=False
    )
    preferred_last_name = forms.CharField(
        label="Preferred last name", max_length=100, required=False
    )
    date_of_birth = forms.DateField(label="Date of birth", widget=_DATE)
    sex = forms.ChoiceField(label="Sex", choices=SEX)
    year_group = forms.ChoiceField(label="Year group", choices=YEAR_GROUPS)
    starts = forms.DateField(label="Joined on", widget=_DATE)

    field_order = [
        "upn", "legal_first_name", "legal_last_name", "preferred_first_name",
        "preferred_last_name", "date_of_birth", "sex", "year_group", "starts",
    ]  # fmt: skip

    def clean_upn(self) -> str:
        try:
            upn, _ = validate_upn(self.cleaned_data["upn"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return upn

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth is in the future.")
        if born < today.replace(year=today.year - 30):
            raise forms.ValidationError("The date of birth is more than 30 years ago.")
        return born


class UPNForm(forms.Form):
    upn = forms.CharField(
        label="New UPN",
        max_length=20,
        help_text="13 characters; the old UPN is kept as a former UPN.",
    )


class GroupForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    kind = forms.ChoiceField(label="Kind", choices=GroupKind.choices)
    year_groups = forms.MultipleChoiceField(
        label="Year groups", choices=YEAR_GROUPS, widget=forms.CheckboxSelectMultiple
    )
    subject = forms.CharField(label="Subject", max_length=100, required=False)
    teachers = forms.ModelMultipleChoiceField(
        label="Teachers", queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = staff  # type: ignore[attr-defined]


class GroupPupilForm(forms.Form):
    pupil = forms.IntegerField(label="Pupil")
