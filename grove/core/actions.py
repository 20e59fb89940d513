"""Every write to the core: the audit log, trust settings, memberships."""

from __future__ import annotations

from django.db import models, transaction

from grove.core.models import AuditEvent, Membership, Role, School, Trust, User


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
def trust_settings_update(*, actor: User, trust: Trust, mfa_required: bool) -> Trust:
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
