"""Input validation for the tracking setup pages: the scale editor with its bands, a school's
choice of scale, and a new collection point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from grove.pupils.codes import YEAR_GROUPS
from grove.tracking.actions import BandInput
from grove.tracking.models import Band, Scale, Subject

EXTRA_BANDS = 6  # blank band rows the editor offers, and how many "Add more rows" adds


class ScaleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    description = forms.CharField(
        label="Description", max_length=300, required=False, help_text="Optional: what it measures."
    )
    numeric = forms.BooleanField(
        label="Results are scores (numbers) rather than band codes", required=False
    )
    minimum = forms.FloatField(
        label="Lowest score", required=False, help_text="For a scale of scores only."
    )
    maximum = forms.FloatField(
        label="Highest score", required=False, help_text="For a scale of scores only."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("numeric"):
            low, high = data.get("minimum"), data.get("maximum")
            if low is None:
                self.add_error("minimum", "Give the lowest score of a scale of scores.")
            if high is None:
                self.add_error("maximum", "Give the highest score of a scale of scores.")
            if low is not None and high is not None and low >= high:
                self.add_error("maximum", "The highest score must be above the lowest.")
        return data


class BandForm(forms.Form):
    code = forms.CharField(label="Code", max_length=12, required=False)
    label = forms.CharField(label="Label", max_length=100, required=False)
    value = forms.FloatField(label="Value", required=False)
    is_expected = forms.BooleanField(label="Expected standard", required=False)

    def __init__(
        self, *args: Any, number: int = 0, common_bands: Sequence[Band] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        for band_field in self.fields.values():
            band_field.label = f"Band {number}: {str(band_field.label).lower()}"
        if common_bands:
            self.fields["common_band"] = forms.TypedChoiceField(
                label=f"Band {number}: counts as",
                coerce=int,
                required=False,
                choices=[("", "Choose a common band")]
                + [(b.pk, f"{b.code} – {b.label}") for b in common_bands],
            )

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("code") or data.get("label") or data.get("value") is not None)


class BaseBandFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The bands, one row each, lowest first. Blank rows are ignored; a blank value numbers
    the band by its row, so a simple ordered scale needs only codes and labels."""

    numeric = False

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs(index)
        kwargs["number"] = (index or 0) + 1
        return kwargs

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        filled = [form for form in self.forms if form.filled]
        codes: dict[str, int] = {}
        values: dict[float, int] = {}
        expected = 0
        for form in filled:
            data = form.cleaned_data
            code = (data.get("code") or "").strip()
            if not code:
                form.add_error("code", "Give the band a code: what teachers type.")
            elif code.casefold() in codes:
                form.add_error(
                    "code", f"The code “{code}” is already band {codes[code.casefold()]}'s."
                )
            else:
                codes[code.casefold()] = form.number
            if not (data.get("label") or "").strip():
                form.add_error("label", "Give the band a label.")
            value = data.get("value")
            if value is None:
                if self.numeric:
                    form.add_error("value", "Give the lowest score in this band.")
                value = float(form.number)
            if value in values:
                form.add_error("value", f"Band {values[value]} already has the value {value:g}.")
            else:
                values[value] = form.number
            if data.get("is_expected"):
                expected += 1
                if expected > 1:
                    form.add_error("is_expected", "Only one band can be the expected standard.")
            if "common_band" in form.fields and not data.get("common_band"):
                form.add_error("common_band", "Choose the common band it counts as.")
        if len(filled) < 2:
            raise ValidationError("A scale needs at least two bands: fill in two rows or more.")

    def band_inputs(self) -> list[BandInput]:
        bands = []
        for form in self.forms:
            if not form.filled:
                continue
            data = form.cleaned_data
            value = data.get("value")
            bands.append(
                BandInput(
                    code=data["code"].strip(),
                    label=data["label"].strip(),
                    value=float(form.number) if value is None else value,
                    is_expected=bool(data.get("is_expected")),
                    common_band_id=data.get("common_band") or None,
                )
            )
        return bands


BandFormSet = forms.formset_factory(
    BandForm, formset=BaseBandFormSet, extra=EXTRA_BANDS, max_num=60, validate_max=True
)


def band_formset(
    data: Any = None, *, common_bands: Sequence[Band] = (), numeric: bool = False
) -> BaseBandFormSet:
    """The band rows; POSTed "add_rows" re-renders the rows typed so far with more blank ones."""
    if data is not None and "add_rows" in data:
        data = data.copy()
        total = int(data.get("bands-TOTAL_FORMS") or 0)
        data["bands-TOTAL_FORMS"] = str(min(total + EXTRA_BANDS, 60))
    formset = BandFormSet(data, prefix="bands", form_kwargs={"common_bands": common_bands})
    assert isinstance(formset, BaseBandFormSet)
    formset.numeric = numeric
    return formset


class OntoForm(forms.Form):
    """Which common scale a school's new scale maps onto (chosen before its bands)."""

    onto = forms.TypedChoiceField(label="Maps onto the trust's scale", coerce=int)

    def __init__(self, *args: Any, scales: Sequence[Scale], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["onto"].choices = [(s.pk, s.name) for s in scales]  # type: ignore[attr-defined]


class ScaleChoiceForm(forms.Form):
    """A school's choice for one common scale: record on it, or on one of its own scales."""

    common_scale = forms.IntegerField(widget=forms.HiddenInput)
    own_scale = forms.IntegerField(required=False)


class CollectionPointForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="For example “Summer term”.")
    opens = forms.DateField(label="Opens", widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label="Closes", widget=forms.DateInput(attrs={"type": "date"}))
    year_groups = forms.MultipleChoiceField(
        label="Year groups", choices=YEAR_GROUPS, widget=forms.CheckboxSelectMultiple
    )
    subjects = forms.ModelMultipleChoiceField(
        label="Subjects", queryset=Subject.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    scale = forms.ModelChoiceField(
        label="Scale", queryset=Scale.objects.none(), empty_label="Choose a scale"
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will change for pupils because of this data?",
    )
    used_by = forms.CharField(
        label="Who uses the data",
        max_length=300,
        help_text="For example “class teachers and the SENCO, in pupil progress meetings”.",
    )
    minutes_per_pupil = forms.DecimalField(
        label="Estimated minutes per pupil",
        max_digits=5,
        decimal_places=1,
        min_value=0,
        help_text="Teacher time to assess and enter one pupil, all subjects together.",
    )
    over_cap_reason = forms.CharField(
        label="Reason for going over the cap",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone who sees the calendar will see this reason.",
    )

    def __init__(self, *args: Any, trust_id: int, over_cap: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = Subject.objects.filter(trust_id=trust_id)  # type: ignore[attr-defined]
        self.fields["scale"].queryset = Scale.objects.filter(  # type: ignore[attr-defined]
            trust_id=trust_id, school__isnull=True
        )
        # The reason is asked for only past the cap; the action says why it is needed.
        if not over_cap:
            del self.fields["over_cap_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes < opens:
            self.add_error("closes", "The window must close on or after the day it opens.")
        return data
