"""xero.gocardless_events: GoCardless' webhooks and API objects → facts, without Odoo. Deliveries are shaped as
GoCardless sends them (``{"events": [...]}``, each event with ``resource_type``, ``action``, ``links`` and
``details``), the payments, refunds, payouts and payout items as its API answers them."""
from datetime import date, datetime

import pytest

from xero import gocardless_events as ge
from xero.provider_facts import AmountError


def event(resource, action, links, created="2026-03-05T09:00:00.000Z", cause=None, description=None):
    return {"id": f"EV{action.upper()[:6]}{len(links)}", "created_at": created, "resource_type": resource,
            "action": action, "links": links, "metadata": {},
            "details": {"origin": "gocardless", "cause": cause or action, "description": description or action,
                        "scheme": "bacs", "reason_code": None}}


def payment(**values):
    obj = {"id": "PM0001ABC", "created_at": "2026-02-25T10:00:00.000Z", "charge_date": "2026-03-01",
           "amount": 2900, "amount_refunded": 0, "currency": "GBP", "description": "Roastery membership",
           "reference": "MEMBER-7", "status": "paid_out", "metadata": {"odoo_invoice": "INV/2026/0007"},
           "links": {"mandate": "MD0001ABC", "creditor": "CR0001", "payout": "PO0001ABC",
                     "subscription": "SB0001ABC"}}
    obj.update(values)
    return obj


# -- receiving -------------------------------------------------------------------------------------------------
def test_event_rows_of_a_delivery():
    delivery = {"events": [
        event("payments", "paid_out", {"payment": "PM0001ABC", "payout": "PO0001ABC"}),
        event("refunds", "paid", {"refund": "RF0001ABC", "payment": "PM0001ABC"}),
        event("payouts", "paid", {"payout": "PO0001ABC"}),
        event("mandates", "created", {"mandate": "MD0001ABC"}),
        {"id": "EVBROKEN", "resource_type": "payments", "action": "", "links": {}},
        "not an event",
    ]}
    rows, unknown = ge.event_rows(delivery)
    assert unknown == 3
    assert [facts for facts, _event in rows] == [
        {"event_id": "EVPAID_O2", "event_type": "payments.paid_out", "object_id": "PM0001ABC",
         "provider_created": datetime(2026, 3, 5, 9, 0)},
        {"event_id": "EVPAID2", "event_type": "refunds.paid", "object_id": "RF0001ABC",
         "provider_created": datetime(2026, 3, 5, 9, 0)},
        {"event_id": "EVPAID1", "event_type": "payouts.paid", "object_id": "PO0001ABC",
         "provider_created": datetime(2026, 3, 5, 9, 0)}]
    assert rows[0][1] is delivery["events"][0], "each row keeps its event as sent"
    for body in ({}, {"events": "x"}, []):
        with pytest.raises(ValueError):
            ge.event_rows(body)


# -- payments --------------------------------------------------------------------------------------------------
def test_which_payment_events_may_change_the_books():
    assert ge.needs_status("paid_out", "paid_out") and ge.needs_status("confirmed", "confirmed")
    assert not ge.needs_status("confirmed", "paid_out"), "only noted until paid out"
    assert not ge.needs_status("created", None) and not ge.needs_status("submitted", "confirmed")
    for action in ("failed", "charged_back", "late_failure_settled", "chargeback_cancelled"):
        assert ge.needs_status(action, "paid_out")
    assert ge.is_collected("paid_out", None) and ge.is_collected("confirmed", "confirmed")
    assert not ge.is_collected("confirmed", "paid_out") and not ge.is_collected("charged_back", "confirmed")


def test_a_failed_or_charged_back_payment_says_why():
    failed = event("payments", "failed", {"payment": "PM0001ABC"}, cause="insufficient_funds",
                   description="The customer's account had insufficient funds")
    assert ge.failure_cause(failed) == "The customer's account had insufficient funds"
    charged_back = event("payments", "charged_back", {"payment": "PM0001ABC"}, cause="authorisation_disputed")
    charged_back["details"].pop("description")
    assert ge.failure_cause(charged_back) == "authorisation_disputed"
    assert ge.failure_cause({"action": "cancelled"}) == "cancelled"


def test_payment_facts_of_a_subscription_payment_paid_out():
    data = payment()
    assert ge.payment_facts(data) == {
        "charge_ref": "PM0001ABC", "paid": True, "currency_code": "GBP", "amount": 29.0, "date": date(2026, 3, 1),
        "description": "Roastery membership", "metadata": {"odoo_invoice": "INV/2026/0007"},
        "subscription_ref": "SB0001ABC", "period_start": date(2026, 3, 1)}
    paid_out = event("payments", "paid_out", {"payment": "PM0001ABC", "payout": "PO0001ABC"})
    assert ge.payment_payout(paid_out, data) == "PO0001ABC"
    confirmed = event("payments", "confirmed", {"payment": "PM0001ABC"})
    assert ge.payment_payout(confirmed, data) == "PO0001ABC", "paid out since: the payment's payout"
    assert ge.payment_payout(confirmed, payment(status="confirmed")) is None


def test_a_one_off_payment_described_by_its_reference():
    data = payment(description=None, links={"mandate": "MD0001ABC"}, charge_date=None, currency="eur")
    facts = ge.payment_facts(data)
    assert (facts["description"], facts["date"], facts["currency_code"]) == ("MEMBER-7", None, "EUR")
    assert "subscription_ref" not in facts
    assert ge.description_field(data) == "reference"
    with pytest.raises(AmountError):
        ge.payment_facts(payment(amount="a lot"))


def test_the_customer_of_a_mandate():
    assert ge.mandate_customer({"id": "MD0001ABC", "links": {"customer": "CU0001ABC"}}) == "CU0001ABC"
    customer = {"id": "CU0001ABC", "email": " Finance@Mole.example ", "company_name": "Mole Coffee Co",
                "given_name": "Rita", "family_name": "Mole"}
    assert ge.customer_facts(customer) == ("finance@mole.example", "Mole Coffee Co")
    assert ge.customer_facts(dict(customer, company_name=None, email=None)) == (None, "Rita Mole")


# -- payouts and their items -----------------------------------------------------------------------------------
ITEMS = [  # as GET /payout_items?payout=PO0801 answers them: signed amounts in minor units, as strings
    {"type": "payment_paid_out", "amount": "5000.0", "links": {"payment": "PM0802"}},
    {"type": "gocardless_fee", "amount": "-75.0", "links": {"payment": "PM0802"}},
    {"type": "app_fee", "amount": "-10.0", "links": {"payment": "PM0802"}},
    {"type": "payment_charged_back", "amount": "-3000.0", "links": {"payment": "PM0800"}},
    {"type": "surcharge_fee", "amount": "-150.0", "links": {"payment": "PM0800"}},
    {"type": "gocardless_fee", "amount": "45.0", "links": {"payment": "PM0800"}},
    {"type": "surcharge_fee", "amount": "-50.0", "links": {"payment": "PM0801"}},
    {"type": "surcharge_fee", "amount": "-50.0", "links": {"payment": "PM0801"}},
    {"type": "surcharge_fee", "amount": "150.0", "links": {"payment": "PM0799"}},
]


def test_the_fee_of_a_payment_in_its_payout():
    assert ge.payment_fee(ITEMS, "PM0802", "GBP") == {"fee_amount": 0.85, "fee_currency_code": "GBP"}
    assert ge.payment_fee(ITEMS, "PM0900", "GBP") == {}


def test_the_fees_of_a_payout_that_are_no_payments_own():
    assert ge.has_other_fees(ITEMS)
    assert ge.other_fees(ITEMS, "GBP") == [ge.OwnFee("PM0799", -1.5), ge.OwnFee("PM0800", 1.05),
                                           ge.OwnFee("PM0801", 1.0)], "a credit is a fee given back"
    assert not ge.has_other_fees(ITEMS[:3]), "the payment paid out here has its fees booked with it"


def test_payout_and_refund():
    payout = {"id": "PO0001ABC", "amount": 2955, "currency": "GBP", "arrival_date": "2026-03-09",
              "status": "paid", "deducted_fees": 45, "payout_type": "merchant"}
    assert ge.payout_facts(payout) == ge.Payout("PO0001ABC", 29.55, "GBP", date(2026, 3, 9))
    refund = {"id": "RF0001ABC", "amount": 500, "currency": "GBP", "created_at": "2026-03-10T09:00:00.000Z",
              "reference": "Damaged bag", "status": "paid", "links": {"payment": "PM0001ABC", "mandate": "MD1"}}
    assert ge.refund_facts(refund) == ge.Refund("RF0001ABC", "PM0001ABC", 5.0, "GBP", date(2026, 3, 10),
                                                "Damaged bag")
    assert ge.refund_facts(dict(refund, created_at=None)).date is None
    assert ge.link(event("refunds", "paid", {"refund": "RF0001ABC"}), "refund") == "RF0001ABC"
