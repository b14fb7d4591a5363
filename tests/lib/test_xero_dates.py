from datetime import date, datetime, timedelta, timezone

import pytest

from xero.dates import format_date, format_if_modified_since, parse_xero_date, to_xero_ms_date

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/Date(1439434356790+0000)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        ("/Date(1439434356790)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        # the offset only tells how Xero displays it; the milliseconds are UTC
        ("/Date(1439434356790+1300)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        ("/Date(-62135596800000+0000)/", datetime(1, 1, 1, tzinfo=UTC)),
        ("/Date(0)/", datetime(1970, 1, 1, tzinfo=UTC)),
        ("2024-01-31T00:00:00", datetime(2024, 1, 31, tzinfo=UTC)),
        ("2024-01-31T10:20:30+02:00", datetime(2024, 1, 31, 8, 20, 30, tzinfo=UTC)),
        ("2024-01-31T10:20:30-0530", datetime(2024, 1, 31, 15, 50, 30, tzinfo=UTC)),
        ("2024-01-31T10:20:30Z", datetime(2024, 1, 31, 10, 20, 30, tzinfo=UTC)),
        ("2019-12-07T18:46:19.5165400", datetime(2019, 12, 7, 18, 46, 19, 516540, tzinfo=UTC)),
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),
        (date(2024, 2, 29), datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2024, 2, 29, 12, 0), datetime(2024, 2, 29, 12, 0, tzinfo=UTC)),
    ],
)
def test_parse_xero_date(value, expected):
    parsed = parse_xero_date(value)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_xero_date_empty(value):
    assert parse_xero_date(value) is None


def test_parse_xero_date_garbage():
    with pytest.raises(ValueError):
        parse_xero_date("not a date")


def test_format_date():
    assert format_date(date(2024, 1, 5)) == "2024-01-05"
    assert format_date(datetime(2024, 1, 5, 23, 59)) == "2024-01-05"
    assert format_date("2024-01-05T10:00:00") == "2024-01-05"


def test_format_if_modified_since_to_the_second_utc():
    aware = datetime(2024, 3, 1, 12, 30, 15, 999999, tzinfo=timezone(timedelta(hours=-8)))
    assert format_if_modified_since(aware) == "2024-03-01T20:30:15"
    assert format_if_modified_since(datetime(2024, 3, 1, 12, 30, 15, 500)) == "2024-03-01T12:30:15"
    assert format_if_modified_since(date(2024, 3, 1)) == "2024-03-01T00:00:00"
    assert format_if_modified_since(0) == "1970-01-01T00:00:00"
    assert format_if_modified_since("/Date(1439434356790+0000)/") == "2015-08-13T02:52:36"


def test_ms_date_round_trip():
    dt = datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)
    assert to_xero_ms_date(dt) == "/Date(1439434356790+0000)/"
    assert parse_xero_date(to_xero_ms_date(dt)) == dt
