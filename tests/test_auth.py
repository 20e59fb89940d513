"""Signing in: email and password, throttling, password reset, two-step sign-in (TOTP and
recovery codes), the trust's compulsory-MFA rule, logout by POST, and the admin's gate.

Each test signs in through Grove's own pages, as a person would, unless sign-in is not its subject.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grove.core.models import Membership, Role, School, Trust, User

if TYPE_CHECKING:
    # What the test client returns; it exists in django-stubs only.
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

PASSWORD = "a-long-enough-passphrase"
LOGIN_URL = reverse("account_login")


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Login throttling and used TOTP codes live in the cache, which outlives a test.
    cache.clear()


@pytest.fixture
def rowan(db: None) -> Trust:
    """A trust that makes MFA compulsory."""
    return Trust.objects.create(name="Rowan Trust", mfa_required=True)


@pytest.fixture
def rowan_primary(rowan: Trust) -> School:
    return School.objects.create(
        trust=rowan, name="Rowan Primary", urn="900001", la_code="909",
        establishment_number="2001", phase="primary",
    )  # fmt: skip


@pytest.fixture
def hazel_primary(db: None) -> School:
    """A school in a trust that leaves MFA to each person."""
    hazel = Trust.objects.create(name="Hazel Trust")
    return School.objects.create(
        trust=hazel, name="Hazel Primary", urn="900002", la_code="909",
        establishment_number="2002", phase="primary",
    )  # fmt: skip


MakePerson = Callable[..., User]


@pytest.fixture
def make_person(db: None) -> MakePerson:
    count = 0

    def make(
        role: Role, school: School | None = None, trust: Trust | None = None, **extra: object
    ) -> User:
        nonlocal count
        count += 1
        user = User.objects.create_user(
            f"person{count}@auth.example", PASSWORD,
            given_name="Pat", family_name=f"Person{count}", **extra,
        )  # fmt: skip
        trust = trust or (school.trust if school else None)
        assert trust is not None
        Membership.objects.create(user=user, trust=trust, school=school, role=role)
        return user

    return make


@pytest.fixture
def teacher(make_person: MakePerson, hazel_primary: School) -> User:
    return make_person(Role.TEACHER, hazel_primary)


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Response:
    return client.post(LOGIN_URL, {"login": email, "password": password})


def confirm_password(client: Client) -> None:
    """Changes to two-step sign-in ask for the password again, even just after signing in."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def current_code(secret: str) -> str:
    """The code an authenticator app shows now."""
    if time.time() % 30 > 29:
        # Grove accepts only the current 30-second step: let a code about to expire pass first.
        time.sleep(1.1)
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def give_totp(user: User) -> tuple[str, list[str]]:
    """An authenticator app and recovery codes, as if the person had set them up: the secret and
    the codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(response: Response) -> str:
    """The page as a person reads it: the text, without tags or runs of white space."""
    parser = _PageText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def assert_grove_page(html: str) -> None:
    """Grove's shell, one h1, and a label for every visible input."""
    assert 'class="skip-link"' in html
    assert '<main id="main"' in html
    assert html.count("<h1") == 1, "a page has exactly one h1"
    for input_id in re.findall(r'<input (?![^>]*type="hidden")[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, f"input {input_id} has no label"


# --- email and password --------------------------------------------------------------------


def test_login_page_says_what_grove_is_and_offers_no_signup(client: Client) -> None:
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert_grove_page(html)
    assert "Sign in to Grove" in text_of(response)
    assert "Grove helps schools and trusts track pupils" in text_of(response)
    assert '<div class="auth">' in html
    assert '<label for="id_login">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "Forgotten your password?" in text_of(response)
    assert reverse("account_signup") not in html
    assert "sign up" not in text_of(response).lower()


def test_signup_page_offers_no_account(client: Client, db: None) -> None:
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "You cannot create a Grove account yourself" in text_of(response)
    assert 'type="password"' not in response.content.decode()

    client.post(
        reverse("account_signup"),
        {"email": "stranger@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="stranger@example.com").exists()


def test_person_signs_in_with_email_and_password(client: Client, teacher: User) -> None:
    response = sign_in(client, teacher.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    page = client.get(reverse("home"), follow=True)
    assert "Hazel Primary" in text_of(page)


def test_wrong_password_is_refused_with_a_message(client: Client, teacher: User) -> None:
    response = sign_in(client, teacher.email, "not-the-password")
    assert response.status_code == 200
    assert "There is a problem" in text_of(response)
    assert "The email address or the password is not right." in text_of(response)
    assert not signed_in(client)


def test_sixth_failed_login_is_refused(client: Client, teacher: User) -> None:
    for _ in range(5):
        response = sign_in(client, teacher.email, "not-the-password")
        assert "The email address or the password is not right." in text_of(response)

    response = sign_in(client, teacher.email)

    assert response.status_code == 200
    assert "Too many failed attempts to sign in" in text_of(response)
    assert "Wait and try again, or reset your password." in text_of(response)
    assert not signed_in(client)


def test_throttling_is_per_account(
    client: Client, teacher: User, make_person: MakePerson, hazel_primary: School
) -> None:
    colleague = make_person(Role.TEACHER, hazel_primary)
    for _ in range(5):
        sign_in(client, teacher.email, "not-the-password")

    sign_in(client, colleague.email)

    assert signed_in(client)


def test_closed_account_is_told_so_at_sign_in(client: Client, teacher: User) -> None:
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])

    response = sign_in(client, teacher.email)

    assert "Account closed" in text_of(client.get(response["Location"]))
    assert not signed_in(client)


def test_logout_asks_first_and_happens_only_by_post(client: Client, teacher: User) -> None:
    sign_in(client, teacher.email)

    page = client.get(reverse("account_logout"))
    assert "Sign out of Grove on this device?" in text_of(page)
    assert_grove_page(page.content.decode())
    assert signed_in(client), "a GET (a link, a prefetch) must not sign anyone out"

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not signed_in(client)


# --- password reset ------------------------------------------------------------------------


def test_password_reset_email_lets_the_person_choose_a_new_password(
    client: Client, teacher: User
) -> None:
    page = client.get(reverse("account_reset_password"))
    assert "Reset your password" in text_of(page)
    assert_grove_page(page.content.decode())

    response = client.post(reverse("account_reset_password"), {"email": teacher.email})
    assert response["Location"] == reverse("account_reset_password_done")
    assert "Check your email" in text_of(client.get(response["Location"]))

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [teacher.email]
    assert email.subject == "Grove: Reset your password"
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", str(email.body))
    assert link, email.body

    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in text_of(form_page)
    assert_grove_page(form_page.content.decode())
    html = form_page.content.decode()
    assert 'aria-describedby="id_password1_helptext"' in html
    assert "at least 12 characters" in text_of(form_page)
    form_url = form_page.redirect_chain[-1][0]

    too_short = client.post(form_url, {"password1": "Short-pw1", "password2": "Short-pw1"})
    assert too_short.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in text_of(
        too_short
    )
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in (
        too_short.content.decode()
    )

    new_password = "a-brand-new-passphrase"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    assert "Your new password is saved." in text_of(client.get(done["Location"]))

    sign_in(client, teacher.email, new_password)
    assert signed_in(client)


def test_used_reset_link_does_not_work_twice(client: Client, teacher: User) -> None:
    client.post(reverse("account_reset_password"), {"email": teacher.email})
    body = str(mail.outbox[0].body)
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", body)
    assert link
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase"
    client.post(form_url, {"password1": new_password, "password2": new_password})

    again = client.get(link.group(1), follow=True)

    assert "This link has expired" in text_of(again)


def test_password_reset_for_an_unknown_address_offers_no_signup(client: Client, db: None) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    # The page says the same as for a real account, so it does not reveal who has one.
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "There is no Grove account with this address." in body
    assert "sign up" not in body.lower()
    assert reverse("account_signup") not in body


# --- two-step sign-in ----------------------------------------------------------------------


def test_person_turns_on_an_authenticator_app_and_gets_recovery_codes(
    client: Client, teacher: User
) -> None:
    sign_in(client, teacher.email)
    index = client.get(reverse("mfa_index"))
    assert "Off" in text_of(index)
    assert "Set up an authenticator app" in text_of(index)
    assert_grove_page(index.content.decode())

    asked = client.get(reverse("mfa_activate_totp"), follow=True)
    assert "Confirm it is you" in text_of(asked)
    assert_grove_page(asked.content.decode())
    confirm_password(client)

    page = client.get(reverse("mfa_activate_totp"))
    html = page.content.decode()
    assert page.status_code == 200
    assert_grove_page(html)
    assert 'alt="QR code that adds Grove to your authenticator app"' in html
    assert 'src="data:image/svg+xml;base64,' in html
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in text_of(page), "the key is there for someone who cannot scan the code"

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert "Incorrect code." in text_of(wrong)
    assert not Authenticator.objects.filter(user=teacher).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response["Location"])
    assert "Your recovery codes" in text_of(codes_page)
    assert "10 of 10 codes unused." in text_of(codes_page)
    assert_grove_page(codes_page.content.decode())
    assert Authenticator.objects.filter(user=teacher, type=Authenticator.Type.TOTP).exists()

    index = client.get(reverse("mfa_index"))
    assert "Turn off two-step sign-in" in text_of(index)
    assert "10 of 10 codes unused." in text_of(index)


def test_sign_in_asks_for_the_authenticator_code(client: Client, teacher: User) -> None:
    secret, _ = give_totp(teacher)

    response = sign_in(client, teacher.email)

    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client), "a password alone is not enough"
    page = client.get(reverse("mfa_authenticate"))
    assert "Enter your code" in text_of(page)
    assert_grove_page(page.content.decode())
    assert '<label for="id_code">Code</label>' in page.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response["Location"] == reverse("home")
    assert signed_in(client)


def test_wrong_authenticator_code_is_refused(client: Client, teacher: User) -> None:
    give_totp(teacher)
    sign_in(client, teacher.email)

    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})

    assert "Incorrect code." in text_of(response)
    assert 'aria-describedby="id_code_error"' in response.content.decode()
    assert not signed_in(client)


def test_recovery_code_signs_in_once(client: Client, teacher: User) -> None:
    _, codes = give_totp(teacher)
    sign_in(client, teacher.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert signed_in(client)

    client.post(reverse("account_logout"))
    sign_in(client, teacher.email)
    reused = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert "Incorrect code." in text_of(reused)
    assert not signed_in(client)

    client.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert signed_in(client)


def test_security_pages_render_for_someone_with_two_step_sign_in(
    client: Client, teacher: User
) -> None:
    secret, _ = give_totp(teacher)
    sign_in(client, teacher.email)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    confirm_password(client)

    pages = {
        "mfa_index": "Sign-in security",
        "mfa_view_recovery_codes": "Your recovery codes",
        "mfa_generate_recovery_codes": "Make new recovery codes",
        "mfa_deactivate_totp": "Turn off two-step sign-in",
        "account_change_password": "Change your password",
        "mfa_reauthenticate": "Confirm it is you",
    }
    for name, heading in pages.items():
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert f"<h1>{heading}</h1>" in page.content.decode(), name
        assert_grove_page(page.content.decode())

    download = client.get(reverse("mfa_download_recovery_codes"))
    assert len(download.content.decode().split()) == 10


# --- compulsory MFA ------------------------------------------------------------------------


def school_page(school: School) -> str:
    return reverse("school_overview", args=[school.pk])


def test_teacher_in_a_trust_requiring_mfa_is_sent_to_set_it_up(
    client: Client, make_person: MakePerson, rowan_primary: School
) -> None:
    client.force_login(make_person(Role.TEACHER, rowan_primary))

    response = client.get(school_page(rowan_primary))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_required")
    page = client.get(response["Location"])
    assert "Your trust asks everyone who sees pupil data" in text_of(page)


def test_trust_wide_data_lead_in_a_trust_requiring_mfa_is_sent_to_set_it_up(
    client: Client, make_person: MakePerson, rowan: Trust, rowan_primary: School
) -> None:
    client.force_login(make_person(Role.TRUST_DATA_LEAD, trust=rowan))

    response = client.get(school_page(rowan_primary))

    assert response["Location"] == reverse("mfa_required")


def test_teacher_who_sets_up_an_authenticator_app_gets_back_to_the_school(
    client: Client, make_person: MakePerson, rowan_primary: School
) -> None:
    teacher = make_person(Role.TEACHER, rowan_primary)
    sign_in(client, teacher.email)
    assert client.get(school_page(rowan_primary))["Location"] == reverse("mfa_required")

    explained = client.get(reverse("mfa_required"))
    assert f'href="{reverse("mfa_activate_totp")}"' in explained.content.decode()
    confirm_password(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    response = client.get(school_page(rowan_primary))
    assert response.status_code == 200
    assert "Rowan Primary" in text_of(response)
    # Once done, the explanation is no longer in the way.
    assert client.get(reverse("mfa_required"))["Location"] == reverse("home")


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SUPPORT_STAFF])
def test_roles_without_pupil_data_are_not_forced(
    client: Client, make_person: MakePerson, rowan_primary: School, role: Role
) -> None:
    client.force_login(make_person(role, rowan_primary))

    response = client.get(school_page(rowan_primary))

    assert response.status_code == 200
    assert "Rowan Primary" in text_of(response)


def test_teacher_in_a_trust_without_the_setting_is_not_redirected(
    client: Client, teacher: User, hazel_primary: School
) -> None:
    client.force_login(teacher)

    response = client.get(school_page(hazel_primary))

    assert response.status_code == 200
    assert "Hazel Primary" in text_of(response)


def test_trust_rule_applies_only_to_roles_held_in_that_trust(
    client: Client, make_person: MakePerson, rowan_primary: School, hazel_primary: School
) -> None:
    # A governor in Rowan (which requires MFA) who teaches in Hazel (which does not).
    person = make_person(Role.TEACHER, hazel_primary)
    Membership.objects.create(
        user=person, trust=rowan_primary.trust, school=rowan_primary, role=Role.GOVERNOR
    )
    client.force_login(person)

    assert client.get(school_page(hazel_primary)).status_code == 200
    assert client.get(school_page(rowan_primary)).status_code == 200


def test_sign_in_and_security_pages_stay_reachable_when_mfa_is_compulsory(
    client: Client, make_person: MakePerson, rowan_primary: School
) -> None:
    teacher = make_person(Role.TEACHER, rowan_primary)
    sign_in(client, teacher.email)

    for name in ["mfa_required", "mfa_index", "mfa_activate_totp", "account_change_password"]:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        assert response.redirect_chain in (
            [],
            [
                (
                    reverse("account_reauthenticate")
                    + "?next="
                    + reverse(name).replace("/", "%2F"),
                    302,
                )
            ],
        ), name
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.post(reverse("account_logout"))["Location"] == LOGIN_URL


def test_htmx_request_is_redirected_as_a_whole_page(
    client: Client, make_person: MakePerson, rowan_primary: School
) -> None:
    client.force_login(make_person(Role.TEACHER, rowan_primary))

    response = client.get(school_page(rowan_primary), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == reverse("mfa_required")


def test_unknown_page_is_still_not_found(
    client: Client, make_person: MakePerson, rowan_primary: School
) -> None:
    client.force_login(make_person(Role.TEACHER, rowan_primary))

    assert client.get("/no-such-page/").status_code == 404


def _queries_for(user: User, url: str, *, mfa_check: bool) -> int:
    """Queries for one page view, with or without the compulsory-MFA middleware."""
    middleware = [m for m in django_settings.MIDDLEWARE if mfa_check or "RequireMfa" not in m]
    with override_settings(MIDDLEWARE=middleware):
        client = Client()  # a client loads the middleware once, when it first makes a request
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_mfa_check_costs_no_query_where_the_trust_does_not_require_it(
    teacher: User, hazel_primary: School
) -> None:
    url = school_page(hazel_primary)

    assert _queries_for(teacher, url, mfa_check=True) == _queries_for(teacher, url, mfa_check=False)


def test_mfa_check_costs_one_query_where_the_trust_requires_it(
    make_person: MakePerson, rowan_primary: School
) -> None:
    teacher = make_person(Role.TEACHER, rowan_primary)
    give_totp(teacher)
    url = school_page(rowan_primary)

    assert _queries_for(teacher, url, mfa_check=True) == (
        _queries_for(teacher, url, mfa_check=False) + 1
    )


# --- the Django admin ----------------------------------------------------------------------


def test_staff_flag_without_administrator_role_does_not_open_the_admin(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    client.force_login(make_person(Role.HEADTEACHER, hazel_primary, is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 403


def test_school_administrator_does_not_open_the_admin_which_spans_every_trust(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    client.force_login(make_person(Role.ADMINISTRATOR, hazel_primary, is_staff=True))

    response = client.get("/admin/")

    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 403


def test_operator_opens_the_admin(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    operator = make_person(Role.ADMINISTRATOR, hazel_primary, is_staff=True, is_superuser=True)
    client.force_login(operator)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "Grove administration" in text_of(response)
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_superuser_manages_grove_accounts_in_the_admin(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    operator = make_person(Role.ADMINISTRATOR, hazel_primary, is_staff=True, is_superuser=True)
    client.force_login(operator)

    add = client.get("/admin/core/user/add/")
    change = client.get(f"/admin/core/user/{operator.pk}/change/")

    assert add.status_code == 200
    assert 'name="given_name"' in add.content.decode()
    assert change.status_code == 200
    assert operator.email in change.content.decode()


def test_administrator_role_without_staff_flag_does_not_open_the_admin(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    client.force_login(make_person(Role.ADMINISTRATOR, hazel_primary))

    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_admin_sign_in_goes_through_grove_sign_in(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    admin = make_person(Role.ADMINISTRATOR, hazel_primary, is_staff=True, is_superuser=True)

    # The admin's own form would skip throttling and two-step sign-in, so it is never used.
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL + "?next=/admin/login/")
    assert not signed_in(client)


def test_changes_in_the_admin_reach_grove_audit_log(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    from grove.core.models import AuditEvent

    operator = make_person(Role.ADMINISTRATOR, hazel_primary, is_staff=True, is_superuser=True)
    client.force_login(operator)
    trust = hazel_primary.trust
    response = client.post(
        f"/admin/core/trust/{trust.pk}/change/",
        {"name": trust.name, "mfa_required": "on", "collection_cap": 3},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed", trust=trust)
    assert event.actor == operator
    assert "in the administration site" in event.summary


def test_nobody_changes_their_own_sign_in_email(
    client: Client, make_person: MakePerson, hazel_primary: School
) -> None:
    person = make_person(Role.TEACHER, hazel_primary)
    client.force_login(person)
    page = client.get("/accounts/email/")
    assert "Your school manages staff email addresses" in page.content.decode()
    client.post("/accounts/email/", {"action_add": "", "email": "someone@elsewhere.example"})
    person.refresh_from_db()
    assert person.email != "someone@elsewhere.example"
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.filter(email="someone@elsewhere.example").exists()
