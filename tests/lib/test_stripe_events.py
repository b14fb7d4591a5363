"""xero.stripe_events: Stripe's webhook events → facts, without Odoo. The events are shaped as Stripe sends them
(an ``event`` object whose ``data.object`` is the charge, payment intent, invoice, dispute or payout), in the API
versions the connector meets (before and after 2025-03-31 "basil")."""
from datetime import date, datetime

import pytest

from xero import stripe_events as se
from xero.provider_facts import AmountError

MARCH_1 = 1772366400  # 2026-03-01 12:00:00 UTC


def event(event_type, obj, created=MARCH_1 + 60, api_version="2024-06-20"):
    return {"id": "evt_1QxYz2AbCdEf", "object": "event", "api_version": api_version, "created": created,
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": "req_Ab12", "idempotency_key": "a1b2"}, "type": event_type}


def charge(**values):
    obj = {
        "id": "ch_3QxYz2AbCdEf0001", "object": "charge", "amount": 4250, "amount_captured": 4250,
        "amount_refunded": 0, "balance_transaction": "txn_3QxYz2AbCdEf0001",
        "billing_details": {"address": {"country": "NZ"}, "email": "Ana@Lagoon.example", "name": "Ana Lagoon",
                            "phone": None},
        "captured": True, "created": MARCH_1, "currency": "usd", "customer": "cus_R1", "description": "Espresso box",
        "invoice": None, "metadata": {"odoo_order": "S00042"}, "paid": True, "payment_intent": "pi_3QxYz2AbCdEf",
        "receipt_email": "ana@lagoon.example", "refunded": False, "refunds": {"object": "list", "data": [],
                                                                               "has_more": False},
        "status": "succeeded",
    }
    obj.update(values)
    return obj


def balance_transaction(fee=153, currency="usd", exchange_rate=None):
    return {"id": "txn_3QxYz2AbCdEf0001", "object": "balance_transaction", "amount": 4250, "currency": currency,
            "exchange_rate": exchange_rate, "fee": fee, "net": 4250 - fee, "reporting_category": "charge",
            "fee_details": [{"amount": fee, "currency": currency, "type": "stripe_fee"}]}


# -- receiving -------------------------------------------------------------------------------------------------
def test_event_row_of_a_used_type():
    row = se.event_row(event("charge.succeeded", charge()))
    assert row == {"event_id": "evt_1QxYz2AbCdEf", "event_type": "charge.succeeded",
                   "object_id": "ch_3QxYz2AbCdEf0001", "provider_created": datetime(2026, 3, 1, 12, 1)}


def test_event_row_of_other_types_and_of_bodies_that_are_no_event():
    assert se.event_row(event("customer.created", {"id": "cus_1", "object": "customer"})) is None
    for body in ([], {"type": "charge.succeeded"}, {"id": "evt_1", "type": ""}, {"id": 7, "type": "charge.succeeded"}):
        with pytest.raises(ValueError, match="not a Stripe event"):
            se.event_row(body)
    with pytest.raises(ValueError, match="data.object"):
        se.event_row({"id": "evt_1", "type": "charge.succeeded", "data": {"object": "ch_1"}})
    assert se.event_object({"data": "x"}) == {}


# -- payments --------------------------------------------------------------------------------------------------
def test_charge_succeeded_with_its_balance_transaction_id_only():
    # What Stripe sends: the balance transaction by id, so no fee in the facts (read from Stripe's API).
    obj = se.event_object(event("charge.succeeded", charge()))
    assert se.payment_fields("charge.succeeded") == ("charge", ("amount_captured", "amount"))
    assert se.payment_facts("charge.succeeded", obj) == {
        "key": "pi_3QxYz2AbCdEf", "charge_id": "ch_3QxYz2AbCdEf0001", "charge_ref": "ch_3QxYz2AbCdEf0001",
        "paid": True, "currency_code": "USD", "amount": 42.5, "date": date(2026, 3, 1),
        "email": "ana@lagoon.example", "customer_name": "Ana Lagoon", "description": "Espresso box",
        "provider_invoice_ref": None, "metadata": {"odoo_order": "S00042"}}


def test_charge_updated_once_settled_carries_the_fee_in_another_currency():
    # A EUR charge settled into a USD balance at 1.08: fee in USD, Stripe's rate kept for Xero's CurrencyRate.
    obj = charge(currency="eur", payment_intent=None, amount=5000, amount_captured=5000,
                 balance_transaction=balance_transaction(fee=187, exchange_rate=1.08))
    facts = se.payment_facts("charge.updated", obj)
    assert (facts["key"], facts["amount"], facts["currency_code"]) == ("ch_3QxYz2AbCdEf0001", 50.0, "EUR")
    assert (facts["fee_amount"], facts["fee_currency_code"], facts["settlement_rate"]) == (1.87, "USD", 1.08)
    assert se.xero_currency_rate(facts["settlement_rate"]) == 0.925926


def test_charge_not_succeeded_is_not_paid_and_unsettled_has_no_fee():
    facts = se.charge_facts(charge(status="pending", paid=False, balance_transaction=None))
    assert facts["paid"] is False
    assert "fee_amount" not in facts
    assert se.fee_facts({"balance_transaction": {"id": "txn_1", "fee": None}}, "usd") == {}


def test_zero_decimal_currency():
    facts = se.charge_facts(charge(currency="jpy", amount=5000, amount_captured=5000))
    assert (facts["amount"], facts["currency_code"]) == (5000.0, "JPY")


def test_payment_intent_succeeded_with_its_latest_charge_expanded_or_not():
    intent = {"id": "pi_3QxYz2AbCdEf", "object": "payment_intent", "amount": 12000, "amount_received": 12000,
              "currency": "usd", "created": MARCH_1 - 30, "description": None, "invoice": None,
              "latest_charge": "ch_3QxYz2AbCdEf0001", "metadata": {"odoo_order": "S00001"},
              "receipt_email": "Hello@Dockside.example", "status": "succeeded"}
    facts = se.payment_facts("payment_intent.succeeded", intent)
    assert (facts["key"], facts["charge_id"], facts["amount"], facts["email"], facts["date"]) == (
        "pi_3QxYz2AbCdEf", "ch_3QxYz2AbCdEf0001", 120.0, "hello@dockside.example", date(2026, 3, 1))
    expanded = dict(intent, latest_charge=charge(balance_transaction=balance_transaction(fee=380),
                                                 metadata={"campaign": "spring"}))
    facts = se.intent_facts(expanded)
    assert (facts["fee_amount"], facts["customer_name"]) == (3.8, "Ana Lagoon")
    assert facts["metadata"] == {"campaign": "spring", "odoo_order": "S00001"}, "the intent's metadata wins"
    older = dict(intent, latest_charge=None, charges={"object": "list", "data": [charge()]})  # before 2022-08-01
    assert se.intent_facts(older)["charge_id"] == "ch_3QxYz2AbCdEf0001"


def invoice(**values):
    obj = {
        "id": "in_1QxYz2AbCdEf", "object": "invoice", "number": "A1B2C3-0001", "currency": "usd",
        "amount_paid": 4000, "total": 4000, "customer_email": "Club@Beans.example", "customer_name": "Bean Club",
        "payment_intent": "pi_period1", "charge": "ch_period1", "subscription": "sub_roastery", "status": "paid",
        "status_transitions": {"paid_at": MARCH_1 + 120}, "created": MARCH_1, "period_start": MARCH_1,
        "period_end": MARCH_1 + 2678400, "tax": None, "total_tax_amounts": [],
        "lines": {"object": "list", "has_more": False, "data": [
            {"id": "il_1", "object": "line_item", "description": "1 × Monthly beans (at $30.00 / month)",
             "amount": 3000, "quantity": 1, "period": {"start": MARCH_1, "end": MARCH_1 + 2678400},
             "tax_amounts": []},
            {"id": "il_2", "object": "line_item", "description": "Grinder rental", "amount": 1000, "quantity": 2,
             "period": {"start": MARCH_1, "end": MARCH_1 + 2678400}, "tax_amounts": []}]},
    }
    obj.update(values)
    return obj


def test_invoice_paid_gives_the_periods_lines():
    facts = se.payment_facts("invoice.paid", invoice())
    assert facts["lines"] == [
        {"description": "1 × Monthly beans (at $30.00 / month)", "quantity": 1, "unit_amount": 30.0},
        {"description": "Grinder rental", "quantity": 2, "unit_amount": 5.0}]
    assert (facts["key"], facts["charge_ref"], facts["amount"], facts["email"]) == (
        "pi_period1", "ch_period1", 40.0, "club@beans.example")
    assert (facts["period_start"], facts["period_end"], facts["date"]) == (date(2026, 3, 1), date(2026, 4, 1),
                                                                           date(2026, 3, 1))
    assert (facts["subscription_ref"], facts["provider_invoice_ref"], facts["tax_amount"]) == (
        "sub_roastery", "in_1QxYz2AbCdEf", None)


def test_invoice_paid_with_exclusive_tax_a_discount_and_the_customers_balance():
    # API 2025: taxes with a tax_behavior. 30.00 + 4.50 exclusive tax, 5.00 off, 10.00 from the Stripe balance.
    obj = invoice(amount_paid=1950, total_taxes=[{"amount": 450, "tax_behavior": "exclusive"}],
                  total_discount_amounts=[{"amount": 500, "discount": "di_1"}], lines={"data": [
                      {"description": "Monthly beans", "amount": 3000, "quantity": 1,
                       "taxes": [{"amount": 450, "tax_behavior": "exclusive"}]}]})
    facts = se.invoice_facts(obj)
    assert facts["lines"] == [
        {"description": "Monthly beans", "quantity": 1, "unit_amount": 34.5},
        {"description": None, "kind": se.DISCOUNT, "quantity": 1, "unit_amount": -5.0},
        {"description": None, "kind": se.CUSTOMER_BALANCE, "quantity": 1, "unit_amount": -10.0}]
    assert sum(line["quantity"] * line["unit_amount"] for line in facts["lines"]) == 19.5
    assert facts["tax_amount"] == 4.5
    # Before 2025: ``tax`` and inclusive ``tax_amounts`` (in the line's amount already).
    older = se.invoice_facts(invoice(amount_paid=3000, tax=391, lines={"data": [
        {"description": "Monthly beans", "amount": 3000, "quantity": 1,
         "tax_amounts": [{"amount": 391, "inclusive": True}]}]}))
    assert (older["lines"], older["tax_amount"]) == (
        [{"description": "Monthly beans", "quantity": 1, "unit_amount": 30.0}], 3.91)


def test_invoice_lines_whose_unit_amount_has_more_decimals_than_xero_keeps():
    obj = invoice(amount_paid=2001, lines={"data": [
        {"description": "3 × Seat", "quantity": 3, "amount": 1000},
        {"description": "Usage: 1,000 calls", "quantity": 1000, "amount": 1}]})
    assert [(line["quantity"], line["unit_amount"]) for line in se.invoice_facts(obj)["lines"]] == [
        (3, 3.3333), (1, 0.01), (1, 10.0)]
    assert se.invoice_facts(obj)["lines"][-1]["kind"] == se.OTHER_AMOUNTS


def test_invoice_paid_in_api_version_2025_basil():
    # No payment_intent / charge / subscription at the top: the payments list and parent.subscription_details.
    obj = invoice(payment_intent=None, charge=None, subscription=None, payments={"data": [
        {"payment": {"type": "payment_intent", "payment_intent": {"id": "pi_basil1"}}}]},
        parent={"type": "subscription_details", "subscription_details": {"subscription": "sub_basil",
                                                                          "metadata": {"odoo_order": "S9"}}})
    facts = se.invoice_facts(obj)
    assert (facts["key"], facts["subscription_ref"], facts["metadata"]) == ("pi_basil1", "sub_basil",
                                                                            {"odoo_order": "S9"})


def test_the_link_to_the_invoice_from_stripes_invoice_payments():
    basil = invoice(charge=None, subscription=None)
    del basil["payment_intent"]
    facts = se.invoice_facts(basil)
    assert se.invoice_payments_query("invoice.paid", basil, facts) == {"invoice": "in_1QxYz2AbCdEf"}
    paid = [{"id": "inpay_1", "object": "invoice_payment", "invoice": "in_1QxYz2AbCdEf", "status": "paid",
             "payment": {"type": "payment_intent", "payment_intent": "pi_basil1"}},
            {"id": "inpay_0", "invoice": "in_1QxYz2AbCdEf", "status": "canceled",
             "payment": {"type": "payment_intent", "payment_intent": "pi_old"}}]
    assert se.invoice_payments_link("invoice.paid", paid) == {"key": "pi_basil1"}
    twice = paid + [dict(paid[0], payment={"type": "payment_intent", "payment_intent": "pi_basil2"})]
    assert se.invoice_payments_link("invoice.paid", twice) == {}, "paid in parts: keyed by the invoice"
    # A charge of API 2025 names no invoice: asked by its payment intent.
    basil_charge = charge()
    del basil_charge["invoice"]
    assert se.invoice_payments_query("charge.succeeded", basil_charge, se.charge_facts(basil_charge)) == {
        "intent": "pi_3QxYz2AbCdEf"}
    assert se.invoice_payments_link("charge.succeeded", paid) == {"provider_invoice_ref": "in_1QxYz2AbCdEf"}
    # Older versions say it themselves: nothing to ask.
    assert se.invoice_payments_query("charge.succeeded", charge(), se.charge_facts(charge())) is None
    assert se.invoice_payments_query("invoice.paid", invoice(), se.invoice_facts(invoice())) is None


def test_what_is_no_amount_in_a_currency_fails_with_the_values():
    with pytest.raises(AmountError) as caught:
        se.charge_facts(charge(amount_captured="lots"))
    assert (caught.value.value, caught.value.currency) == ("lots", "USD")
    with pytest.raises(AmountError):
        se.charge_facts(charge(currency="usdollars"))


# -- refunds, disputes, payouts --------------------------------------------------------------------------------
def test_charge_refunded_with_its_refunds_listed():
    refunded = charge(amount_refunded=1500, refunded=False, refunds={"object": "list", "data": [
        {"id": "re_1", "object": "refund", "amount": 1000, "status": "succeeded", "created": MARCH_1 + 86400},
        {"id": "re_2", "object": "refund", "amount": 500, "status": "pending", "created": MARCH_1 + 90000},
        {"id": "re_3", "object": "refund", "amount": 700, "status": "failed", "created": MARCH_1 + 90000}]})
    assert se.refunds(refunded, recorded_minor=1000) == [se.Refund("re_1", 10.0, date(2026, 3, 2)),
                                                         se.Refund("re_2", 5.0, date(2026, 3, 2))]


def test_charge_refunded_in_api_versions_that_list_no_refunds():
    # From 2022-11-15 the charge no longer carries its refunds: what is refunded less what is recorded.
    refunded = charge(amount_refunded=1500)
    del refunded["refunds"]
    assert se.refunds(refunded, recorded_minor=1000) == [se.Refund("ch_3QxYz2AbCdEf0001:1500", 5.0,
                                                                   date(2026, 3, 1))]
    assert se.refunds(refunded, recorded_minor=1500) == []
    assert se.charge_key(charge(payment_intent=None)) == "ch_3QxYz2AbCdEf0001"
    assert se.charge_customer(charge(billing_details={})) == ("ana@lagoon.example", None)


def dispute(**values):
    obj = {"id": "dp_1QxYz2", "object": "dispute", "amount": 4250, "currency": "usd",
           "charge": "ch_3QxYz2AbCdEf0001", "payment_intent": "pi_3QxYz2AbCdEf", "reason": "fraudulent",
           "status": "needs_response", "created": MARCH_1 + 864000, "balance_transactions": [
               {"id": "txn_dispute_1", "object": "balance_transaction", "amount": -4250, "fee": 1500,
                "net": -5750, "currency": "usd", "created": MARCH_1 + 864000, "reporting_category": "dispute"}]}
    obj.update(values)
    return obj


def test_dispute_funds_withdrawn_and_reinstated():
    withdrawn = se.dispute_facts(se.WITHDRAWN, se.event_object(event(se.WITHDRAWN, dispute())))
    assert (withdrawn.withdrawn, withdrawn.amount, withdrawn.currency, withdrawn.keys, withdrawn.reason) == (
        True, 42.5, "USD", ["pi_3QxYz2AbCdEf", "ch_3QxYz2AbCdEf0001"], "fraudulent")
    assert withdrawn.fees == (se.DisputeFee("txn_dispute_1", 15.0, "USD", date(2026, 3, 11)),)
    given_back = {"id": "txn_dispute_2", "amount": 4250, "fee": -1500, "currency": "usd", "created": MARCH_1}
    won = se.dispute_facts(se.REINSTATED, dispute(status="won", balance_transactions=[
        dispute()["balance_transactions"][0], given_back]))
    assert (won.withdrawn, won.amount) == (False, None)
    assert [fee.amount for fee in won.fees] == [15.0, -15.0]
    # Expanded ids, and a dispute that names no currency takes its payment's.
    other = se.dispute_facts(se.WITHDRAWN, dispute(currency=None, charge={"id": "ch_x"}, payment_intent=None,
                                                   balance_transactions=[]), currency="eur")
    assert (other.charge, other.intent, other.currency, other.amount) == ("ch_x", None, "EUR", 42.5)


def test_payout_paid():
    payout = {"id": "po_1Weekly", "object": "payout", "amount": 46310, "currency": "usd",
              "arrival_date": 1772668800, "status": "paid", "type": "bank_account", "automatic": True}
    assert se.payout_facts(se.event_object(event(se.PAYOUT_TYPE, payout))) == se.Payout(
        "po_1Weekly", 463.1, "USD", date(2026, 3, 5))
