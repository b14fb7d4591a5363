"""The outbox's rules without a database (xero/outbox.py): backoff, keys, excerpts, the sender's lock key."""
import json

from xero import outbox


def test_states():
    names = [name for name, _label in outbox.STATES]
    assert names == ["pending", "sending", "done", "retry", "blocked", "cancelled"]
    assert set(outbox.OPEN_STATES) == set(names) - {"done", "cancelled"}
    assert set(outbox.DUE_STATES) <= set(outbox.OPEN_STATES) and "sending" not in outbox.DUE_STATES


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour():
    assert [outbox.backoff(n) for n in range(0, 9)] == [30, 30, 60, 120, 240, 480, 960, 1920, 3600]
    assert outbox.backoff(40) == 3600


def test_rate_limit_wait():
    assert outbox.rate_limit_wait(7.5, "minute") == 7.5
    assert outbox.rate_limit_wait(0, "minute") == 1  # never a busy loop
    assert outbox.rate_limit_wait(None, "day") == 3600
    assert outbox.rate_limit_wait(None, "minute") == 60
    assert outbox.rate_limit_wait(None, None) == 60


def test_job_key_is_stable_per_attempt():
    assert outbox.job_key("0123456789abcdef", 42, 0) == "xc-01234567-42-0"
    assert outbox.job_key("0123456789abcdef", 42, 1) == "xc-01234567-42-1"
    assert outbox.job_key(None, 7, 3) == "xc--7-3"


def test_batch_key_is_deterministic_and_order_free():
    keys = [outbox.job_key("uuid", i, 0) for i in range(50)]
    key = outbox.batch_key(keys)
    assert key == outbox.batch_key(reversed(keys))
    assert key.startswith("xc-b-") and len(key) <= 128
    assert key != outbox.batch_key(keys[:-1])
    assert outbox.batch_key(["xc-uuid-1-0"]) == "xc-uuid-1-0"  # one job: its own key


def test_excerpt_is_json_redacted_and_short():
    assert outbox.excerpt(None) is False
    assert outbox.excerpt(False) is False
    assert json.loads(outbox.excerpt({"Name": "Café"})) == {"Name": "Café"}
    long = outbox.excerpt({"Description": "x" * 2000})
    assert len(long) == outbox.EXCERPT
    secret = outbox.excerpt('{"access_token": "eyJhbGciOiJSUzI1NiJ9.payload.signature"}')
    assert "eyJhbGciOiJSUzI1NiJ9.payload.signature" not in secret


def test_tenant_lock_key_fits_a_signed_int4():
    keys = {outbox.tenant_lock_key(f"tenant-{i}") for i in range(200)}
    assert len(keys) == 200
    assert all(-2**31 <= key < 2**31 for key in keys)
    assert outbox.tenant_lock_key("tenant-1") == outbox.tenant_lock_key("tenant-1")


def test_cut_to_size_keeps_order_isolates_the_too_large_and_leaves_the_rest_for_later():
    # envelope 10 bytes, limit 100: 10 + 40 + 2 + 40 = 92 fits; the third (30) would make 124.
    assert outbox.cut_to_size(10, [40, 40, 30, 5], 100) == ([0, 1], [], [2, 3])
    # an element over the limit alone never rides: isolated, the others go on around it
    assert outbox.cut_to_size(10, [95, 20, 20], 100) == ([1, 2], [0], [])
    # exactly at the limit fits
    assert outbox.cut_to_size(10, [44, 44], 100) == ([0, 1], [], [])
    assert outbox.cut_to_size(10, [44, 45], 100) == ([0], [], [1])
    assert outbox.cut_to_size(10, [], 100) == ([], [], [])
