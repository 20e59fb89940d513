"""Heads and administrators add staff and manage their roles; new staff get a link by email."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from grove.core.models import AuditEvent, Membership, Role, User
from tests.conftest import Cast


def add(cast: Cast, role: str = "head", follow: bool = False, **data: object):
    url = reverse("staff_new", args=[cast.alder_primary.pk])
    form = {"email": "New.Teacher@cast.example", "given_name": "Nia", "family_name": "New",
            "roles": ["teacher"], "job_title": "Year 3 teacher"} | data  # fmt: skip
    return cast.client_for(role).post(url, form, follow=follow)


def test_head_adds_a_teacher_who_sets_a_password_from_the_email(cast: Cast) -> None:
    listing = add(cast, follow=True).content.decode()
    assert "Nia New" in listing and "lets them choose a password" in listing
    user = User.objects.get(email="new.teacher@cast.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.TEACHER
    assert AuditEvent.objects.filter(action="membership.grant", actor=cast.head).exists()

    (email,) = mail.outbox
    assert email.to == ["new.teacher@cast.example"]
    assert "Alder Primary" in email.subject and "Head Cast" in email.body
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", str(email.body))
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "a-long-new-password", "password2": "a-long-new-password"},
    )
    assert client.login(email="new.teacher@cast.example", password="a-long-new-password")


def test_someone_already_in_grove_gets_roles_here_without_a_new_account(cast: Cast) -> None:
    response = add(cast, email=cast.outsider.email, roles=["teaching_assistant"])
    assert response.status_code == 302
    assert User.objects.filter(email=cast.outsider.email).count() == 1
    assert cast.outsider.memberships.filter(school=cast.alder_primary).exists()
    assert not mail.outbox  # they already have a password


def test_roles_already_held_are_refused_with_a_message(cast: Cast) -> None:
    response = add(cast, email=cast.teacher.email, roles=["teacher"])
    assert "already holds these roles at Alder Primary" in response.content.decode()


def test_bad_input_names_the_field_and_adds_nobody(cast: Cast) -> None:
    before = User.objects.count()
    page = add(cast, email="not-an-email", roles=[]).content.decode()
    assert "There is a problem" in page
    assert "Enter a valid email address." in page and 'href="#id_email"' in page
    assert "This field is required." in page and 'href="#id_roles"' in page
    assert '<fieldset id="id_roles"' in page  # the summary's link has somewhere to land
    trust_role = add(cast, roles=["trust_leader"]).content.decode()
    assert "Select a valid choice" in trust_role
    assert User.objects.count() == before


def test_head_removes_a_role_and_the_change_is_logged(cast: Cast) -> None:
    membership = Membership.objects.get(user=cast.ta, role=Role.TEACHING_ASSISTANT)
    url = reverse("staff_role_remove", args=[cast.alder_primary.pk, membership.pk])
    response = cast.client_for("head").post(url, follow=True)
    assert "Ta Cast is no longer Teaching assistant here." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="membership.revoke")
    assert event.summary == "Removed Ta Cast as Teaching assistant in Alder Primary"


def test_nobody_removes_their_own_role(cast: Cast) -> None:
    membership = Membership.objects.get(user=cast.head, role=Role.HEADTEACHER)
    url = reverse("staff_role_remove", args=[cast.alder_primary.pk, membership.pk])
    response = cast.client_for("head").post(url, follow=True)
    assert "You cannot remove your own role" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_role_in_another_school_cannot_be_removed_from_here(cast: Cast) -> None:
    membership = Membership.objects.get(user=cast.outsider)
    url = reverse("staff_role_remove", args=[cast.alder_primary.pk, membership.pk])
    assert cast.client_for("head").post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_only_managers_see_the_staff_controls(cast: Cast) -> None:
    url = reverse("staff_list", args=[cast.alder_primary.pk])
    assert "Add a member of staff" in cast.client_for("admin").get(url).content.decode()
    teacher_view = cast.client_for("teacher").get(url).content.decode()
    assert "Add a member of staff" not in teacher_view and "Remove" not in teacher_view
