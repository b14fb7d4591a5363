"""GoCardless' events → Xero: payments decided by their status now (events in any order), fees in payouts, failures
and chargebacks, refunds, payouts."""
import json
import random

from odoo.tests import tagged

from ..xero import parse_xero_date
from .test_payments_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestGoCardlessPayments(XeroPaymentCase):
    def test_batch_with_mixed_events(self):
        self.gc_payment("PM0001", 1500)                                   # a one-off payment
        self.gc_payment("PM0002", 2900, subscription="SB0001")            # a subscription's period
        self.gc_payment("PM0003", 2900, subscription="SB0001", charge_date="2026-04-01", status="confirmed")
        self.gc_payment("PM0004", 700, status="failed")                   # failed
        self.gc.data["payout_items"]["PO0001"] = [
            {"type": "payment_paid_out", "amount": "1500.0", "links": {"payment": "PM0001"}},
            {"type": "gocardless_fee", "amount": "-20.0", "links": {"payment": "PM0001"}},
            {"type": "app_fee", "amount": "-15.0", "links": {"payment": "PM0001"}},
            {"type": "payment_paid_out", "amount": "2900.0", "links": {"payment": "PM0002"}},
            {"type": "gocardless_fee", "amount": "-37.4", "links": {"payment": "PM0002"}},
        ]
        events = [
            self.gc_event("paid_out", "PM0001", payout="PO0001", created="2026-03-05T09:00:00.000Z"),
            self.gc_event("created", "MD0001", resource="mandates"),
            self.gc_event("confirmed", "PM0001", created="2026-03-03T09:00:00.000Z"),  # older, listed after
            self.gc_event("paid_out", "PM0002", payout="PO0001", created="2026-03-05T09:00:00.000Z"),
            self.gc_event("confirmed", "PM0003", created="2026-04-03T09:00:00.000Z"),
            self.gc_event("failed", "PM0004", created="2026-03-04T09:00:00.000Z"),
            self.gc_event("paid", "PO0001", resource="payouts"),
            {"id": "EVWEIRD", "resource_type": "subscriptions", "action": "created", "links": {}},
        ]
        body = json.dumps({"events": events}).encode()
        for _delivery in range(3):
            self.assertEqual(self.post_gocardless(body=body).status_code, 200)
        self.assertEqual(self.Event.search_count([]), 6, "the five payments events and the payout, once; other "
                         "types not stored")
        self.process()
        states = {e.object_id + " " + e.event_type: e.state for e in self.Event.search([])}
        payout = self.Event.search([("event_type", "=", "payouts.paid")])
        self.assertEqual((payout.state, "Payouts arrive in" in payout.outcome), ("ignored", True),
                         "no bank account chosen for payouts: said, nothing recorded")
        states.pop("PO0001 payouts.paid")
        self.assertEqual(set(states.values()), {"done"}, self.Event.search([]).mapped("outcome"))
        # paid_out (the default): PM0001 and PM0002 are in Xero; PM0003 is only confirmed; PM0004 failed.
        gc_account = self.account("GoCardless")
        self.assertEqual(len(gc_account), 1)
        [pay1] = self.payments_ref("PM0001")
        self.assertEqual(pay1["Amount"], 15.0)
        self.assertEqual(pay1["Account"]["AccountID"], gc_account[0]["AccountID"])
        [pay2] = self.payments_ref("PM0002")
        self.assertEqual(pay2["Amount"], 29.0)
        self.assertFalse(self.payments_ref("PM0003"))
        self.assertFalse(self.payments_ref("PM0004"))
        sub_invoice = self.invoice_of(pay2["Invoice"]["InvoiceID"])
        self.assertIn("SB0001", sub_invoice["LineItems"][0]["Description"])
        self.assertEqual(sub_invoice["Status"], "PAID")
        fees = {t["Reference"]: t["Total"] for t in self.xero("BankTransactions")}
        self.assertEqual(fees, {"GoCardless fee PM0001": 0.35, "GoCardless fee PM0002": 0.37})
        partner = self.env["res.partner"].search([("email_normalized", "=", "finance@mole.example")])
        self.assertEqual(len(partner), 1)
        payout_calls = [path for path, _auth in self.gc.requests if path == "/payout_items"]
        self.assertEqual(len(payout_calls), 1, "the payout's items are read once for its payments")
        # The next period arrives: its own invoice; the whole batch again changes nothing.
        self.gc.data["payout_items"]["PO0002"] = [
            {"type": "payment_paid_out", "amount": "2900.0", "links": {"payment": "PM0003"}}]
        self.gc.data["payments"]["PM0003"].update(status="paid_out", links={"payout": "PO0002", **self.gc.data[
            "payments"]["PM0003"]["links"]})
        self.post_gocardless([self.gc_event("paid_out", "PM0003", payout="PO0002")])
        self.assertEqual(self.post_gocardless(body=body).status_code, 200)
        self.process()
        [pay3] = self.payments_ref("PM0003")
        self.assertNotEqual(pay3["Invoice"]["InvoiceID"], pay2["Invoice"]["InvoiceID"], "one invoice per period")
        self.assertEqual(len(self.payments_ref("PM0001")), 1)
        self.assertEqual(len(self.xero("BankTransactions")), 2)

    def test_a_full_delivery_of_250_events_in_any_order(self):
        # 50 payments × their five events (GoCardless' most per delivery), shuffled; two customers.
        actions = ["created", "submitted", "confirmed", "paid_out", "customer_approval_granted"]
        events, items = [], []
        for n in range(50):
            payment = f"PM1{n:03d}"
            self.gc_payment(payment, 1000 + n, email=("finance@mole.example", "hello@owl.example")[n % 2],
                            payout="PO1000")
            items.append({"type": "gocardless_fee", "amount": "-12.0", "links": {"payment": payment}})
            events += [self.gc_event(action, payment, payout="PO1000" if action == "paid_out" else None,
                                     created=f"2026-03-{2 + i:02d}T10:00:00.000Z") for i, action in enumerate(actions)]
        self.gc.data["payout_items"]["PO1000"] = items
        random.Random(8).shuffle(events)
        self.assertEqual(len(events), 250)
        for _delivery in range(2):
            self.assertEqual(self.post_gocardless(events).status_code, 200)
        self.assertEqual(self.Event.search_count([]), 250)
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        unsent = self.env["xero.job"].search([("state", "!=", "done")])
        self.assertFalse(unsent, [(j.display_label, j.state, j.error, j.next_try) for j in unsent[:3]])
        paid = [p for p in self.xero("Payments") if p["Reference"].startswith("PM1")]
        self.assertEqual(sorted(p["Reference"] for p in paid), [f"PM1{n:03d}" for n in range(50)], "each once")
        self.assertEqual(sum(p["Amount"] for p in paid), sum(1000 + n for n in range(50)) / 100)
        self.assertEqual(len(self.xero("BankTransactions")), 50)
        self.assertEqual(len([c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                              if c["method"] == "PUT" and c["path"].endswith("/Payments")]), 1, "one batch of 50")
        self.assertEqual(len([p for p, _a in self.gc.requests if p == "/payout_items"]), 1)
        self.assertEqual(self.env["res.partner"].search_count(
            [("email_normalized", "in", ("finance@mole.example", "hello@owl.example"))]), 2)

    def test_payout_is_a_transfer_to_the_bank(self):
        self.company.sudo().xero_payout_account_code = "090"
        self.gc_payment("PM0700", 3000, payout="PO0700")
        self.gc_payout("PO0700", 2955, "2026-03-09",
                       [("payment_paid_out", 3000, "PM0700"), ("gocardless_fee", -45, "PM0700")])
        events = [self.gc_event("paid_out", "PM0700", payout="PO0700", created="2026-03-05T10:00:00.000Z"),
                  self.gc_event("paid", "PO0700", created="2026-03-09T10:00:00.000Z", resource="payouts")]
        for _delivery in range(2):
            self.post_gocardless(events)
        self.process()
        [transfer] = self.xero("BankTransfers")
        gc_account = self.account("GoCardless")[0]
        self.assertEqual((transfer["FromBankAccount"]["AccountID"], transfer["ToBankAccount"]["Code"]),
                         (gc_account["AccountID"], "090"))
        self.assertEqual((transfer["Amount"], transfer["Reference"]), (29.55, "GoCardless payout PO0700"))
        self.assertEqual(parse_xero_date(transfer["Date"]).date().isoformat(), "2026-03-09")
        # In the clearing account: +30.00 payment, −0.45 fee, −29.55 payout = 0.
        [fee] = self.xero("BankTransactions")
        self.assertEqual(self.payments_ref("PM0700")[0]["Amount"] - fee["Total"] - transfer["Amount"], 0)

    def test_surcharge_fees_of_failures_and_chargebacks_come_with_a_later_payout(self):
        self.company.sudo().xero_payout_account_code = "090"
        self.gc_payment("PM0800", 3000, payout="PO0800")
        self.gc_payout("PO0800", 2955, "2026-03-09",
                       [("payment_paid_out", 3000, "PM0800"), ("gocardless_fee", -45, "PM0800")])
        self.post_gocardless([self.gc_event("paid_out", "PM0800", payout="PO0800", created="2026-03-05T10:00:00.000Z"),
                              self.gc_event("paid", "PO0800", created="2026-03-09T10:00:00.000Z", resource="payouts")])
        self.process()
        # PM0800 is charged back; PM0801 fails before it was ever recorded. GoCardless takes the chargeback and
        # both surcharge fees out of the next payout, gives PM0800's own fee back in it, and pays out PM0802
        # (whose fee is booked with it, not again here).
        self.gc_payment("PM0800", 3000, status="charged_back", payout="PO0800")
        self.gc_payment("PM0801", 2000, status="failed")
        self.gc_payment("PM0802", 5000, payout="PO0801")
        self.gc_payout("PO0801", 1720, "2026-03-16", [
            ("payment_paid_out", 5000, "PM0802"), ("gocardless_fee", -75, "PM0802"),
            ("payment_charged_back", -3000, "PM0800"), ("surcharge_fee", -150, "PM0800"),
            ("gocardless_fee", 45, "PM0800"), ("surcharge_fee", -50, "PM0801"), ("surcharge_fee", -50, "PM0801")])
        later = [self.gc_event("charged_back", "PM0800", created="2026-03-10T10:00:00.000Z"),
                 self.gc_event("failed", "PM0801", created="2026-03-11T10:00:00.000Z"),
                 self.gc_event("paid_out", "PM0802", payout="PO0801", created="2026-03-12T10:00:00.000Z"),
                 self.gc_event("paid", "PO0801", created="2026-03-16T10:00:00.000Z", resource="payouts")]
        for _delivery in range(2):
            self.post_gocardless(later)
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        surcharges = {t["Reference"]: t for t in self.xero("BankTransactions") if "PO0801/" in t["Reference"]}
        self.assertEqual({ref: (t["Type"], t["Total"]) for ref, t in surcharges.items()},
                         {"GoCardless fee PO0801/PM0800": ("SPEND", 1.05), "GoCardless fee PO0801/PM0801": ("SPEND", 1.0)})
        rows = self.Payment.search([("kind", "=", "fee")], order="key")
        self.assertEqual(rows.mapped("origin_id.key"), ["PM0800"], "PM0801 never reached Xero: its fee still does")
        self.assertEqual(rows.mapped("xero_state"), ["done", "done"])
        # The chargeback is cancelled: GoCardless gives the money and the surcharge back in a third payout.
        self.gc_payout("PO0802", 3150, "2026-03-23",
                       [("payment_paid_out", 3000, "PM0800"), ("surcharge_fee", 150, "PM0800")])
        self.gc_payment("PM0800", 3000, status="paid_out", payout="PO0802")
        self.post_gocardless([
            self.gc_event("chargeback_cancelled", "PM0800", created="2026-03-18T10:00:00.000Z"),
            self.gc_event("paid", "PO0802", created="2026-03-23T10:00:00.000Z", resource="payouts")])
        self.process()
        [given_back] = [t for t in self.xero("BankTransactions") if t["Reference"] == "GoCardless fee PO0802/PM0800"]
        self.assertEqual((given_back["Type"], given_back["Total"]), ("RECEIVE", 1.5))
        self.assertEqual(len(self.payments_ref("PM0800")), 1, "paid again")
        # The clearing account ends at zero: +30 −0.45 −29.55; the chargeback −30, then +50 −0.75 −1.05 −1.00
        # and the payout of 17.20; the chargeback cancelled +30 +1.50 and the payout of 31.50.
        clearing = self.account("GoCardless")[0]["AccountID"]
        received = sum(p["Amount"] for p in self.xero("Payments")
                       if p["Status"] != "DELETED" and p["Account"]["AccountID"] == clearing)
        spent = sum(t["Total"] * (1 if t["Type"] == "SPEND" else -1) for t in self.xero("BankTransactions")
                    if t["BankAccount"]["AccountID"] == clearing)
        transferred = sum(t["Amount"] for t in self.xero("BankTransfers") if t["FromBankAccount"]["AccountID"] == clearing)
        self.assertEqual((received, round(spent, 2), transferred), (80.0, 1.75, 78.25))
        self.assertEqual(round(received - spent - transferred, 2), 0)

    def test_record_on_confirmed(self):
        self.company.sudo().xero_gocardless_record_on = "confirmed"
        self.gc_payment("PM0100", 12345, currency="EUR", status="confirmed")
        self.gc.data["payout_items"]["PO0100"] = [
            {"type": "gocardless_fee", "amount": "-55.0", "links": {"payment": "PM0100"}}]
        self.post_gocardless([self.gc_event("confirmed", "PM0100")])
        self.process()
        [pay] = self.payments_ref("PM0100")
        self.assertEqual(pay["Amount"], 123.45)
        self.assertEqual(self.invoice_of(pay["Invoice"]["InvoiceID"])["CurrencyCode"], "EUR")
        self.assertFalse(self.xero("BankTransactions"), "fees come with the payout")
        self.gc_payment("PM0100", 12345, currency="EUR", payout="PO0100")
        self.post_gocardless([self.gc_event("paid_out", "PM0100", payout="PO0100")])
        self.process()
        self.assertEqual(len(self.payments_ref("PM0100")), 1)
        [fee] = self.xero("BankTransactions")
        self.assertEqual((fee["Total"], fee["CurrencyCode"]), (0.55, "EUR"))

    def test_failure_after_recording_removes_the_payment_and_resubmission_records_it_again(self):
        self.company.sudo().xero_gocardless_record_on = "confirmed"
        self.gc_payment("PM0300", 4500, status="confirmed")
        self.post_gocardless([self.gc_event("confirmed", "PM0300", created="2026-03-02T10:00:00.000Z")])
        self.process()
        [pay] = self.payments_ref("PM0300")
        invoice_id = pay["Invoice"]["InvoiceID"]
        self.assertEqual(self.invoice_of(invoice_id)["Status"], "PAID")
        # A late failure: the money never arrives. Delivered twice (two events), out of order with a retry.
        self.gc_payment("PM0300", 4500, status="failed")
        failed = self.gc_event("failed", "PM0300", created="2026-03-04T10:00:00.000Z")
        failed["details"] = {"origin": "bank", "cause": "insufficient_funds",
                             "description": "The customer's account had insufficient funds"}
        self.post_gocardless([failed, self.gc_event("late_failure_settled", "PM0300",
                                                    created="2026-03-06T10:00:00.000Z")])
        self.post_gocardless([failed])
        self.process()
        self.assertFalse(self.payments_ref("PM0300"))
        deleted = [p for p in self.xero("Payments") if p["Reference"] == "PM0300"]
        self.assertEqual([p["Status"] for p in deleted], ["DELETED"])
        invoice = self.invoice_of(invoice_id)
        self.assertEqual((invoice["Status"], invoice["AmountDue"]), ("AUTHORISED", 45.0), "owed again")
        payment = self.Payment.search([("key", "=", "PM0300")])
        self.assertRecordValues(payment, [{"reversed": True, "xero_payment_id": False, "xero_state": "reversed",
                                           "reversed_xero_payment_id": pay["PaymentID"]}])
        self.assertIn("insufficient funds", payment.reversal_reason)
        reversal = payment.job_ids.filtered(lambda j: j.operation == "payment_reversal")
        self.assertRecordValues(reversal, [{"state": "done", "resource": f"Payments/{pay['PaymentID']}"}])
        # GoCardless retries the collection; once paid out it is a payment again, on the same invoice.
        self.gc_payment("PM0300", 4500, status="paid_out", payout="PO0300")
        self.post_gocardless([self.gc_event("paid_out", "PM0300", payout="PO0300", created="2026-03-12T10:00:00.000Z")])
        self.process()
        [again] = self.payments_ref("PM0300")
        self.assertEqual(again["Invoice"]["InvoiceID"], invoice_id)
        self.assertEqual(self.invoice_of(invoice_id)["Status"], "PAID")
        self.assertEqual(len([i for i in self.xero("Invoices") if "PM0300" in i["Reference"]]), 1)
        self.assertEqual(payment.xero_state, "done")

    def test_reversal_of_a_reconciled_payment_needs_attention(self):
        self.gc_payment("PM0500", 2000, payout="PO0500")
        self.post_gocardless([self.gc_event("paid_out", "PM0500", payout="PO0500", created="2026-03-05T10:00:00.000Z")])
        self.process()
        [pay] = self.payments_ref("PM0500")
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Payments/{pay['PaymentID']}/reconcile")
        self.gc_payment("PM0500", 2000, status="charged_back", payout="PO0500")
        self.post_gocardless([self.gc_event("charged_back", "PM0500", created="2026-03-20T10:00:00.000Z")])
        self.process()
        self.assertEqual(len(self.payments_ref("PM0500")), 1, "Xero refused: the payment stays")
        self.assertEqual(self.invoice_of(pay["Invoice"]["InvoiceID"])["Status"], "PAID")
        payment = self.Payment.search([("key", "=", "PM0500")])
        self.assertEqual(payment.xero_state, "blocked")
        self.assertEqual(payment.xero_payment_id, pay["PaymentID"], "Odoo still names the payment Xero has")
        [reversal] = payment.job_ids.filtered(lambda j: j.operation == "payment_reversal")
        self.assertEqual(reversal.state, "blocked")
        self.assertIn(payment.name, reversal.error)
        self.assertIn("reconciled", reversal.error)

    def test_chargeback_before_anything_was_sent_and_its_cancellation(self):
        self.gc_payment("PM0400", 990, status="charged_back", payout="PO0400")
        events = [self.gc_event("charged_back", "PM0400", created="2026-03-20T10:00:00.000Z"),
                  self.gc_event("paid_out", "PM0400", payout="PO0400", created="2026-03-05T10:00:00.000Z")]
        self.post_gocardless(events)
        self.process()
        self.assertFalse([p for p in self.xero("Payments") if p["Reference"] == "PM0400"],
                         "the status now decides: a charged-back payment is not recorded, whatever the order")
        self.assertFalse(self.Payment.search([("key", "=", "PM0400")]))
        outcomes = self.Event.search([("object_id", "=", "PM0400")]).mapped("outcome")
        self.assertTrue(all("charged_back" in o for o in outcomes), outcomes)
        self.gc_payment("PM0400", 990, status="paid_out", payout="PO0400")
        self.post_gocardless([self.gc_event("chargeback_cancelled", "PM0400", created="2026-04-02T10:00:00.000Z")])
        self.process()
        self.assertEqual(len(self.payments_ref("PM0400")), 1)

    def test_refund_paid_is_a_credit_note_and_its_refund(self):
        self.gc_payment("PM0600", 2000, payout="PO0600")
        self.post_gocardless([self.gc_event("paid_out", "PM0600", payout="PO0600", created="2026-03-05T10:00:00.000Z")])
        self.process()
        self.gc.data["refunds"]["RF0001"] = {"id": "RF0001", "amount": 500, "currency": "USD",
                                              "created_at": "2026-03-10T09:00:00.000Z", "reference": "Damaged bag",
                                              "links": {"payment": "PM0600"}}
        created = self.gc_event("created", "RF0001", created="2026-03-10T09:00:00.000Z", resource="refunds")
        paid = self.gc_event("paid", "RF0001", created="2026-03-11T09:00:00.000Z", resource="refunds")
        for _delivery in range(2):
            self.post_gocardless([paid, created])
        self.process()
        [note] = [c for c in self.xero("CreditNotes") if "RF0001" in (c.get("Reference") or "")]
        self.assertEqual((note["Type"], note["Total"], note["Status"]), ("ACCRECCREDIT", 5.0, "PAID"))
        [refund] = [p for p in self.xero("Payments") if (p.get("CreditNote") or {}).get("CreditNoteID")
                    == note["CreditNoteID"] and p["Status"] != "DELETED"]
        self.assertEqual(refund["Account"]["AccountID"], self.account("GoCardless")[0]["AccountID"])
        invoice_contact = self.invoice_of(self.payments_ref("PM0600")[0]["Invoice"]["InvoiceID"])["Contact"]
        self.assertEqual(note["Contact"]["ContactID"], invoice_contact["ContactID"], "the paying customer")
        row = self.Payment.search([("kind", "=", "refund"), ("key", "=", "RF0001")])
        self.assertEqual((row.origin_id.key, row.xero_state), ("PM0600", "done"))
        # Refunds off: a new one is marked "not handled", nothing is written.
        self.company.sudo().xero_payment_refunds = False
        self.gc.data["refunds"]["RF0002"] = dict(self.gc.data["refunds"]["RF0001"], id="RF0002")
        self.post_gocardless([self.gc_event("paid", "RF0002", resource="refunds")])
        self.process()
        self.assertEqual(self.Event.search([("object_id", "=", "RF0002")]).state, "ignored")
        self.assertEqual(len([c for c in self.xero("CreditNotes") if "RF000" in (c.get("Reference") or "")]), 1)

    def test_payments_lacking_what_recording_needs_fail_and_book_nothing(self):
        self.gc_payment("PM0801", None)
        self.gc_payment("PM0802", 1500, currency=None)
        self.gc_payment("PM0803", 1500)
        self.gc.data["payments"]["PM0803"]["description"] = "r" * 5000
        self.gc_payment("PM0804", 2500)
        delivery = [self.gc_event("paid_out", payment) for payment in ("PM0801", "PM0802", "PM0804", "PM0803")]
        self.assertEqual(self.post_gocardless(delivery).status_code, 200)
        self.process()
        events = {e.object_id: e for e in self.Event.search([])}
        causes = {"PM0801": "“amount” is missing", "PM0802": "“currency” is missing",
                  "PM0803": "“description” is 5,000 characters long, more than the 4,000 Xero accepts"}
        for payment, cause in causes.items():
            event = events[payment]
            self.assertEqual((event.state, event.attempts), ("failed", 5), event.outcome)
            self.assertIn(f"GoCardless event {event.event_id} (payments.paid_out) cannot be recorded: in payment "
                          f"{payment}, {cause}", event.outcome)
        self.assertEqual(events["PM0804"].state, "done", events["PM0804"].outcome)
        self.assertEqual(self.Payment.search([]).mapped("key"), ["PM0804"])
        self.assertEqual(set(self.env["xero.job"].sudo().search([("res_model", "=", "xero.payment")]).mapped("res_id")),
                         {events["PM0804"].payment_id.id})
        [pay] = self.payments_ref("PM0804")
        self.assertEqual(pay["Amount"], 25.0)
        self.assertEqual(len(self.xero("Payments")), 1)

    def test_no_access_token_is_a_clear_error(self):
        self.company.sudo().xero_gocardless_access_token = False
        self.post_gocardless([self.gc_event("paid_out", "PM0200", payout="PO0200")])
        self.process()
        event = self.Event.search([])
        self.assertEqual(event.state, "failed")
        self.assertIn("No GoCardless access token", event.outcome)
        self.assertTrue(event.next_try, "retried later")
