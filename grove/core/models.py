"""Trusts, schools, academic years and terms, staff users, memberships with roles, the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Trust(models.Model):
    """A multi-academy trust, or a single school's own 'trust' when it stands alone."""

    name = models.CharField(max_length=200, unique=True)
    mfa_required = models.BooleanField(
        "MFA compulsory",
        default=False,
        help_text="Everyone whose role sees pupil data must set up an authenticator app.",
    )
    collection_cap = models.PositiveSmallIntegerField(
        "collection points a year",
        default=3,
        help_text="Going past this many data collections in a year needs a recorded reason.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"


class School(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "A URN is six digits.")],
    )
    la_code = models.CharField(
        "LA code",
        max_length=3,
        validators=[RegexValidator(r"^\d{3}$", "An LA code is three digits.")],
    )
    establishment_number = models.CharField(
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", "An establishment number is four digits.")],
    )
    phase = models.CharField(max_length=30, choices=Phase.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "establishment_number"], name="school_unique_dfe_number"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def dfe_number(self) -> str:
        return f"{self.la_code}/{self.establishment_number}"


class AcademicYear(models.Model):
    """An English school year, 1 September to 31 August; national, so not tied to a trust."""

    start_year = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["-start_year"]

    def __str__(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def starts(self) -> dt.date:
        return dt.date(self.start_year, 9, 1)

    @property
    def ends(self) -> dt.date:
        return dt.date(self.start_year + 1, 8, 31)

    @staticmethod
    def start_year_for(day: dt.date) -> int:
        return day.year if day.month >= 9 else day.year - 1


class TermName(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class Term(models.Model):
    """A trust's term dates; schools of a trust share them."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="terms")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(max_length=10, choices=TermName.choices)
    starts = models.DateField()
    ends = models.DateField()

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "academic_year", "name"], name="term_unique"),
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="term_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} {self.academic_year}"

    def clean(self) -> None:
        if not self.academic_year_id:  # clean() runs before the form has a year
            return
        year = self.academic_year
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "A term ends after it starts."})
        for name in ("starts", "ends"):
            day = getattr(self, name)
            if day and not year.starts <= day <= year.ends:
                raise ValidationError(
                    {
                        name: f"{day:%d/%m/%Y} is outside the academic year {year} "
                        f"({year.starts:%d/%m/%Y} to {year.ends:%d/%m/%Y})."
                    }
                )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Every user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff (or a governor) who logs in with their email address."""

    email = models.EmailField(unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "Django admin access", default=False, help_text="Only for administrators."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["given_name", "family_name"]

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.given_name or self.email


class Role(models.TextChoices):
    TRUST_LEADER = "trust_leader", "Trust leader"
    TRUST_DATA_LEAD = "trust_data_lead", "Trust data lead"
    HEADTEACHER = "headteacher", "Headteacher"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    TEACHER = "teacher", "Teacher"
    TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
    SENCO = "senco", "SENCO"
    SUBJECT_LEADER = "subject_leader", "Subject leader"
    SUPPORT_STAFF = "support_staff", "Support staff"
    GOVERNOR = "governor", "Governor"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles held across a whole trust rather than in one school. Governors sit on a school's
# local governing body; trustees are governors of the trust. Administrators may be either.
TRUST_ROLES = frozenset(
    {Role.TRUST_LEADER, Role.TRUST_DATA_LEAD, Role.GOVERNOR, Role.ADMINISTRATOR}
)
SCHOOL_ONLY_ROLES = frozenset(Role) - {Role.TRUST_LEADER, Role.TRUST_DATA_LEAD}


class Membership(models.Model):
    """One role a person holds in one school, or across a trust when school is empty."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                condition=Q(school__isnull=False),
                name="membership_unique_school_role",
            ),
            models.UniqueConstraint(
                fields=["user", "trust", "role"],
                condition=Q(school__isnull=True),
                name="membership_unique_trust_role",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=False)
                | Q(role__in=[r.value for r in sorted(TRUST_ROLES)]),
                name="membership_trust_wide_roles_only",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=True)
                | Q(role__in=[r.value for r in sorted(SCHOOL_ONLY_ROLES)]),
                name="membership_school_roles_only",
            ),
        ]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self) -> str:
        where = self.school.name if self.school_id and self.school else self.trust.name
        return f"{self.user} — {self.get_role_display()}, {where}"


class AuditEvent(models.Model):
    """Who did or saw what, and when: every write and every read of a sensitive record."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=254, help_text="Kept if the user is deleted.")
    # The log outlives what it describes: deleting a school or trust keeps its events.
    trust = models.ForeignKey(Trust, on_delete=models.SET_NULL, null=True, related_name="+")
    school = models.ForeignKey(School, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at"]), models.Index(fields=["trust", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"
