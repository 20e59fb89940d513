"""Import jobs (the uploaded file, its progress and its error report) and the column mapping
each school keeps for its MIS exports."""

from __future__ import annotations

from django.db import models

from grove.core.models import School, Trust, User


class ImportKind(models.TextChoices):
    PUPILS = "pupils", "Pupils"
    GROUPS = "groups", "Teaching groups"
    RESULTS = "results", "Results"
    CTF = "ctf", "Common Transfer File (CTF)"


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", "Waiting for the columns to be matched"
    QUEUED = "queued", "Queued"
    VALIDATING = "validating", "Checking"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Not imported"


class ImportJob(models.Model):
    """One uploaded file and what became of it. The bytes are kept in the database so a
    background worker can read them, and so a rejected file can be looked at again."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    mapping = models.JSONField(
        default=dict, blank=True, help_text="Grove field -> the file's column header."
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="Every problem: {row, field, message}."
    )
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.filename}"

    @property
    def running(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING}

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ColumnMapping(models.Model):
    """Which column of a school's MIS export holds each Grove field, saved so the next upload
    of the same export is matched without asking."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="column_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.kind} columns"
