import base64
import hashlib
import hmac

import pytest

from xero.signatures import (
    SignatureError,
    gocardless_signature,
    stripe_signature,
    verify_gocardless,
    verify_stripe,
    verify_xero,
    xero_signature,
)

XERO_BODY = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"ABC"}'
# computed once, independently, and pasted
XERO_VECTOR = "KQolMsNfXrxqOWkyvR0vCSRCmBQmCUp6EhtT3wosI1c="
STRIPE_VECTOR = "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"
GC_VECTOR = "6f6f767cac9c7585d24323aeab26bf0051fddf205d25daa0ebba15d4e6797605"


def _b64_hmac(key: bytes, body: bytes) -> str:
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def _hex_hmac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


# -- Xero -------------------------------------------------------------------------------------------
def test_xero_signature_fixed_vector():
    assert xero_signature(XERO_BODY, "webhook-key") == XERO_VECTOR
    assert _b64_hmac(b"webhook-key", XERO_BODY) == XERO_VECTOR


def test_xero_signature_independent():
    body = b'{"events":[{"resourceId":"x"}]}'
    assert xero_signature(body, "k3y") == _b64_hmac(b"k3y", body)
    verify_xero(body, _b64_hmac(b"k3y", body), "k3y")


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (XERO_VECTOR, None),              # no key configured: fail closed
        (XERO_VECTOR, ""),
        (None, "webhook-key"),            # no header
        ("", "webhook-key"),
        ("bm9wZQ==", "webhook-key"),      # wrong signature
        (XERO_VECTOR, "other-key"),
    ],
)
def test_xero_refused(header, key):
    with pytest.raises(SignatureError):
        verify_xero(XERO_BODY, header, key)


def test_xero_body_tamper_refused():
    with pytest.raises(SignatureError):
        verify_xero(XERO_BODY + b" ", XERO_VECTOR, "webhook-key")


# -- Stripe -----------------------------------------------------------------------------------------
STRIPE_BODY = b'{"id":"evt_1"}'
T = 1700000000


def test_stripe_fixed_vector():
    assert stripe_signature(STRIPE_BODY, "whsec_test", T) == STRIPE_VECTOR
    assert _hex_hmac(b"whsec_test", b"1700000000." + STRIPE_BODY) == STRIPE_VECTOR
    assert verify_stripe(STRIPE_BODY, f"t={T},v1={STRIPE_VECTOR}", "whsec_test", now=T) == T


def test_stripe_any_v1_matches_and_v0_ignored():
    good = _hex_hmac(b"whsec_test", f"{T}.".encode() + STRIPE_BODY)
    header = f"t={T},v1={'0' * 64},v0={good},v1={good},v9=zzz"
    assert verify_stripe(STRIPE_BODY, header, "whsec_test", now=T + 10) == T


def test_stripe_v0_only_refused():
    good = _hex_hmac(b"whsec_test", f"{T}.".encode() + STRIPE_BODY)
    with pytest.raises(SignatureError):
        verify_stripe(STRIPE_BODY, f"t={T},v0={good}", "whsec_test", now=T)


@pytest.mark.parametrize("delta", [-301, 301])
def test_stripe_tolerance_both_sides(delta):
    header = f"t={T},v1={STRIPE_VECTOR}"
    with pytest.raises(SignatureError):
        verify_stripe(STRIPE_BODY, header, "whsec_test", now=T + delta)
    assert verify_stripe(STRIPE_BODY, header, "whsec_test", now=T + (300 if delta > 0 else -300)) == T


@pytest.mark.parametrize(
    ("header", "secret"),
    [
        (None, "whsec_test"),
        ("", "whsec_test"),
        (f"t={T},v1={STRIPE_VECTOR}", ""),
        (f"t={T},v1={STRIPE_VECTOR}", None),
        (f"v1={STRIPE_VECTOR}", "whsec_test"),          # no timestamp
        (f"t=abc,v1={STRIPE_VECTOR}", "whsec_test"),    # malformed timestamp
        (f"t={T}", "whsec_test"),                       # no v1
        (f"t={T},v1={'a' * 64}", "whsec_test"),         # wrong
        (f"t={T},v1={STRIPE_VECTOR}", "whsec_other"),
    ],
)
def test_stripe_refused(header, secret):
    with pytest.raises(SignatureError):
        verify_stripe(STRIPE_BODY, header, secret, now=T)


def test_stripe_tampered_timestamp_refused():
    with pytest.raises(SignatureError):
        verify_stripe(STRIPE_BODY, f"t={T + 1},v1={STRIPE_VECTOR}", "whsec_test", now=T)


# -- GoCardless -------------------------------------------------------------------------------------
def test_gocardless():
    body = b'{"events":[]}'
    assert gocardless_signature(body, "gc-secret") == GC_VECTOR
    assert _hex_hmac(b"gc-secret", body) == GC_VECTOR
    verify_gocardless(body, GC_VECTOR, "gc-secret")
    verify_gocardless(body, GC_VECTOR.upper(), "gc-secret")  # hex case does not matter
    for header, secret in [(None, "gc-secret"), ("", "gc-secret"), (GC_VECTOR, ""), (GC_VECTOR, None),
                           ("0" * 64, "gc-secret")]:
        with pytest.raises(SignatureError):
            verify_gocardless(body, header, secret)
    with pytest.raises(SignatureError):
        verify_gocardless(body + b"x", GC_VECTOR, "gc-secret")
