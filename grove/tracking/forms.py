"""Input validation for tracking pages: the figure filters, targets."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from grove.tracking.groups import PUPIL_GROUPS
from grove.tracking.models import Band, CollectionPoint, Subject


class FigureFilterForm(forms.Form):
    """Which collection point, subject and pupil group a figures page shows."""

    point = forms.TypedChoiceField(label="Collection point", coerce=int, required=False)
    subject = forms.TypedChoiceField(label="Subject", coerce=int, required=False)
    pupils = forms.ChoiceField(
        label="Pupils",
        required=False,
        choices=[(g.key, g.label) for g in PUPIL_GROUPS],
        initial="all",
    )

    def __init__(
        self, data: object, *, points: Sequence[CollectionPoint], subjects: Sequence[Subject]
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["point"].choices = [(p.pk, p.name) for p in points]  # type: ignore[attr-defined]
        self.fields["subject"].choices = [(s.pk, s.name) for s in subjects]  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    subject = forms.TypedChoiceField(label="Subject", coerce=int)
    band = forms.TypedChoiceField(
        label="Target", coerce=int, required=False, empty_value=None,
        help_text="Leave empty to remove the target.",
    )  # fmt: skip

    def __init__(self, data: object, *, subjects: Sequence[Subject], bands: Sequence[Band]) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["subject"].choices = [(s.pk, s.name) for s in subjects]  # type: ignore[attr-defined]
        self.fields["band"].choices = [("", "No target")] + [  # type: ignore[attr-defined]
            (b.pk, f"{b.code} – {b.label}") for b in bands
        ]
