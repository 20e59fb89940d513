"""Input validation for imports: the upload, and the matching of columns to fields."""

from __future__ import annotations

from typing import Any

from django import forms

from grove.interop.models import ImportKind
from grove.interop.tabular import FIELDS, PRESETS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="File",
        help_text="CSV (saved as CSV UTF-8) or Excel .xlsx; a CTF is the .xml file your MIS "
        "exports. Up to 50 MB.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        kind = data.get("kind")
        if upload is None or not kind:
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", "The file is larger than 50 MB: split it into parts.")
        name = upload.name.lower()
        if kind == ImportKind.CTF and not name.endswith(".xml"):
            self.add_error("file", "A Common Transfer File is an .xml file.")
        if kind != ImportKind.CTF and not name.endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            self.add_error("file", "Upload a .csv or .xlsx file (or choose CTF for .xml).")
        return data


class MappingForm(forms.Form):
    """One choice of column per Grove field, from the file's own headers."""

    preset = forms.ChoiceField(
        label="Fill in from a preset",
        required=False,
        choices=[("", "Keep the choices below"), *[(p, p) for p in PRESETS]],
        help_text="Typical header names of each MIS's export; check them against your file.",
    )

    def __init__(self, *args: Any, kind: str, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", "(not in this file)"), *[(h, h) for h in headers if h]]
        for field in FIELDS[kind]:
            self.fields[f"col_{field.name}"] = forms.ChoiceField(
                label=field.label + ("" if field.required else " (optional)"),
                choices=choices,
                required=False,
                help_text=field.help,
            )

    def mapping(self) -> dict[str, str]:
        return {
            field.name: self.cleaned_data.get(f"col_{field.name}", "")
            for field in FIELDS[self.kind]
        }
