"""Every write to the core: the audit log, trust settings, memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction

from grove.core.models import SCHOOL_ONLY_ROLES, AuditEvent, Membership, Role, School, Trust, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    summary: str,
    trust: Trust | None = None,
    school: School | None = None,
    target: models.Model | None = None,
) -> AuditEvent:
    """Write one audit event. Callers run it inside their own transaction, so it lands or not
    with the change it describes."""
    if school is not None and trust is None:
        trust = school.trust
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "system",
        trust=trust,
        school=school,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        summary=summary[:500],
    )


@transaction.atomic
def trust_settings_update(
    *, actor: User, trust: Trust, mfa_required: bool, collection_cap: int | None = None
) -> Trust:
    """Change the trust's settings; collection_cap None leaves the cap as it is."""
    if trust.mfa_required != mfa_required:
        trust.mfa_required = mfa_required
        trust.save(update_fields=["mfa_required"])
        state = "compulsory" if mfa_required else "optional"
        audit_record(
            actor=actor,
            action="trust.settings",
            summary=f"Made MFA {state} for {trust.name}",
            trust=trust,
            target=trust,
        )
    if collection_cap is not None and collection_cap != trust.collection_cap:
        if not 1 <= collection_cap <= 50:
            raise ValidationError({"collection_cap": "Choose a cap from 1 to 50 a year."})
        before = trust.collection_cap
        trust.collection_cap = collection_cap
        trust.save(update_fields=["collection_cap"])
        audit_record(
            actor=actor,
            action="trust.settings",
            summary=f"Changed {trust.name}'s cap on collection points from {before} to "
            f"{collection_cap} a year",
            trust=trust,
            target=trust,
        )
    return trust


@transaction.atomic
def membership_grant(
    *,
    actor: User | None,
    user: User,
    trust: Trust,
    role: Role,
    school: School | None = None,
    job_title: str = "",
) -> Membership:
    """Give someone a role in a school, or across the trust when school is None."""
    if school is not None and school.trust_id != trust.pk:
        raise ValueError(f"{school} is not a school of {trust}.")
    membership = Membership(user=user, trust=trust, school=school, role=role, job_title=job_title)
    membership.full_clean()
    membership.save()
    where = school.name if school else f"all schools of {trust.name}"
    audit_record(
        actor=actor,
        action="membership.grant",
        summary=f"Made {user.full_name} {role.label} in {where}",
        trust=trust,
        school=school,
        target=membership,
    )
    return membership


@transaction.atomic
def staff_add(
    *,
    actor: User,
    school: School,
    email: str,
    given_name: str,
    family_name: str,
    roles: list[Role],
    job_title: str = "",
) -> tuple[User, bool]:
    """Give someone roles in a school, making their account if they have none. Returns the user
    and whether the account is new (and so needs an email to set its password)."""
    email = email.strip().lower()
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    not_here = [role.label for role in roles if role not in SCHOOL_ONLY_ROLES]
    if not_here:
        raise ValidationError(
            {"roles": f"{', '.join(not_here)} is held across a trust, not in a school."}
        )
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User(email=email, given_name=given_name.strip(), family_name=family_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    held = set(Membership.objects.filter(user=user, school=school).values_list("role", flat=True))
    new_roles = [role for role in roles if role.value not in held]
    if not new_roles:
        raise ValidationError(
            {"roles": f"{user.full_name} already holds these roles at {school.name}."}
        )
    for role in new_roles:
        membership_grant(
            actor=actor, user=user, trust=school.trust, role=role, school=school,
            job_title=job_title,
        )  # fmt: skip
    return user, created


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> None:
    """Take a role away. Nobody removes their own, so a school cannot lock out its last head
    by accident: another leader must do it."""
    if membership.user_id == actor.pk:
        raise ValidationError("You cannot remove your own role; ask another leader.")
    where = membership.school.name if membership.school else membership.trust.name
    audit_record(
        actor=actor,
        action="membership.revoke",
        summary=f"Removed {membership.user.full_name} as {membership.get_role_display()} "
        f"in {where}",
        trust=membership.trust,
        school=membership.school,
        target=membership,
    )
    membership.delete()
