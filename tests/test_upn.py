"""UPN validation: the DfE check letter, temporary UPNs, and clear messages for bad ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grove.pupils.codes import UPN_CHECK_LETTERS, UPNError, make_upn, validate_upn

bodies = st.text(alphabet="0123456789", min_size=11, max_size=11).flatmap(
    lambda digits: st.sampled_from(list("0123456789" + UPN_CHECK_LETTERS)).map(
        lambda last: digits + last
    )
)


def test_a_published_example_upn_passes() -> None:
    # Worked by hand: 8·2 + 0·3 + 1·4 + 2·5 + 0·6 + 0·7 + 1·8 + 1·9 + 0·10 + 0·11 + 0·12 + 1·13
    # = 60; 60 mod 23 = 14, the 15th of ABCDEFGHJKLMNPQRTUVWXYZ, which is Q.
    assert validate_upn("Q801200110001") == ("Q801200110001", False)
    with pytest.raises(UPNError, match="should be 'Q'"):
        validate_upn("L801200110001")


@given(bodies)
def test_every_made_upn_validates_and_temporary_ones_are_marked(body: str) -> None:
    upn, temporary = validate_upn(make_upn(body))
    assert upn == make_upn(body)
    assert temporary == body[-1].isalpha()


@given(bodies, st.sampled_from(UPN_CHECK_LETTERS))
def test_a_wrong_check_letter_is_refused_with_the_right_one_named(body: str, letter: str) -> None:
    right = make_upn(body)[0]
    if letter == right:
        return
    with pytest.raises(UPNError, match=f"should be '{right}'"):
        validate_upn(letter + body)


@given(bodies)
def test_lower_case_and_spaces_are_forgiven(body: str) -> None:
    assert validate_upn(f"  {make_upn(body).lower()} ")[0] == make_upn(body)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "has 0"),
        ("A12345678901", "has 12"),
        ("1234567890123", "not shaped like a UPN"),
        ("A12345678901I", "never use"),
        ("A1234567890AB", "not shaped like a UPN"),
    ],
)
def test_malformed_upns_say_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(UPNError, match=message):
        validate_upn(raw)
