"""Stripe's events → Xero: payments with or without an Odoo document, fees (with the event or read from Stripe),
disputes, payouts, refunds, currencies. The base case and the stand-in: test_payments_common.py."""
import uuid

from odoo.fields import Command
from odoo.tests import tagged

from ..xero import parse_xero_date
from .common import STRIPE_KEY
from .test_payments_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestStripePayments(XeroPaymentCase):
    def test_charges_lacking_what_recording_needs_fail_and_book_nothing(self):
        """No amount, no currency, a currency that is none, a description longer than the 4,000 characters Xero
        takes in an invoice line: each event fails at once with the cause (not retried by the cron), and no
        xero.payment nor xero.job is made for it; the good charge of the same run is recorded."""
        no_amount = self.charge()
        del no_amount["amount"], no_amount["amount_captured"]
        no_currency = dict(self.charge(), currency=None)
        not_a_currency = self.charge(currency="usdollars")
        too_long = dict(self.charge(), description="d" * 4001)
        good = dict(self.charge(amount=1999), description="g" * 4000)  # the limit itself is fine
        bad = {"no amount": (no_amount, "“amount_captured / amount” is missing"),
               "no currency": (no_currency, "“currency” is missing"),
               "not a currency": (not_a_currency, "“currency” is “usdollars”, not a currency code"),
               "too long": (too_long, "“description” is 4,001 characters long, more than the 4,000 Xero accepts")}
        events = {}
        for label, (charge, _cause) in list(bad.items())[:2] + [("good", (good, None))] + list(bad.items())[2:]:
            events[label] = self.stripe_event("charge.succeeded", charge)
            self.assertEqual(self.post_stripe(events[label]).status_code, 200)
        self.process()
        stored = {label: self.Event.search([("event_id", "=", event["id"])]) for label, event in events.items()}
        for label, (charge, cause) in bad.items():
            with self.subTest(label):
                event = stored[label]
                self.assertEqual((event.state, event.attempts, event.next_try, event.payment_id.id),
                                 ("failed", 5, False, False), event.outcome)
                self.assertIn(f"Stripe event {events[label]['id']} (charge.succeeded) cannot be recorded: in charge "
                              f"{charge['id']}, {cause}", event.outcome)
                self.assertIn("Nothing was booked in Xero.", event.outcome)
        self.assertEqual(stored["good"].state, "done", stored["good"].outcome)
        payment = stored["good"].payment_id
        self.assertEqual(self.Payment.search([]), payment, "no xero.payment for the events that failed")
        jobs = self.env["xero.job"].sudo().search([("res_model", "=", "xero.payment")])
        self.assertEqual(set(jobs.mapped("res_id")), {payment.id}, "no xero.job either")
        [pay] = self.payments_ref(good["id"])
        self.assertEqual(pay["Amount"], 19.99)
        [line] = self.invoice_of(pay["Invoice"]["InvoiceID"])["LineItems"]
        self.assertEqual(len(line["Description"]), 4000)
        self.assertFalse([p for p in self.xero("Payments") if p["Reference"] != good["id"]])
        # The cron does not try them again (the event will not change); nothing moves.
        self.process()
        self.assertEqual({label: e.state for label, e in stored.items()},
                         dict.fromkeys(bad, "failed") | {"good": "done"})
        self.assertEqual(self.Payment.search_count([]), 1)

    def test_payment_without_invoice_delivered_three_times(self):
        charge = self.charge(amount=4250, email="Ana@Lagoon.example")
        event = self.stripe_event("charge.succeeded", charge)
        for _attempt in range(3):
            self.assertEqual(self.post_stripe(event).status_code, 200)
        self.process()
        stored = self.Event.search([("event_id", "=", event["id"])])
        self.assertEqual(stored.state, "done", stored.outcome)
        payment = stored.payment_id
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        partner = self.env["res.partner"].search([("email_normalized", "=", "ana@lagoon.example")])
        self.assertEqual(len(partner), 1, "the customer is created once, matched by email")
        self.assertEqual(payment.partner_id, partner)
        notes = partner.message_ids.mapped("body")
        self.assertEqual(len([n for n in notes if "Created by the Xero connector" in n and event["id"] in n]), 1,
                         "the connector's note says why the customer exists (Odoo's own is not written)")
        self.assertEqual(len(notes), 2, notes)  # that note, and the contact created in Xero
        stripe_account = self.account("Stripe")
        self.assertEqual(len(stripe_account), 1)
        self.assertEqual(stripe_account[0]["Type"], "BANK")
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Amount"], 42.5)
        self.assertEqual(parse_xero_date(pay["Date"]).date().isoformat(), "2026-03-01", "dated when paid")
        self.assertEqual(pay["Account"]["AccountID"], stripe_account[0]["AccountID"])
        invoice = self.invoice_of(pay["Invoice"]["InvoiceID"])
        self.assertEqual(invoice["Status"], "PAID")
        self.assertEqual(invoice["Contact"]["ContactID"], partner.with_company(self.company).xero_contact_id)
        self.assertEqual(invoice["Reference"], f"Stripe {charge['id']}")
        self.assertEqual(invoice["Total"], 42.5)
        # Delivered again later, and processed again: nothing changes twice.
        self.assertEqual(self.post_stripe(event).status_code, 200)
        self.Event.search([]).action_xero_retry()
        self.process()
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len([i for i in self.xero("Invoices") if i["Reference"] == f"Stripe {charge['id']}"]), 1)
        self.assertEqual(self.Payment.search_count([]), 1)

    def test_payment_of_an_exported_invoice(self):
        customer = self.env["res.partner"].create({"name": "Harbour Roasters Ltd", "email": "ap@harbour.example",
                                                   "is_company": True})
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id,
            "invoice_line_ids": [Command.create({"name": "Roasting service", "quantity": 1, "price_unit": 80.0,
                                                 "tax_ids": False})],
        })
        move.action_post()
        job = self.env["xero.job"].sudo()._xero_enqueue(move, "invoice")
        self.env["xero.job"].sudo()._xero_send(jobs=job)
        self.assertEqual(job.state, "done", job.error)
        invoices_before = len(self.xero("Invoices"))
        charge = self.charge(amount=8000, email="someone-else@example.com", metadata={"odoo_invoice": move.name})
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Invoice"]["InvoiceID"], move.xero_invoice_id)
        self.assertEqual(len(self.xero("Invoices")), invoices_before, "no second invoice")
        self.assertEqual(self.invoice_of(move.xero_invoice_id)["Status"], "PAID")
        # Shown in Odoo from the payment's answer (Xero embeds the invoice as the payment left it): no
        # Xero webhook event was processed here.
        self.assertEqual((move.xero_invoice_status, move.xero_amount_due, move.xero_paid), ("PAID", 0.0, True))
        self.assertFalse(self.env["res.partner"].search([("email", "=", "someone-else@example.com")]),
                         "the document's customer, not a new one")

    def test_payment_of_an_order_not_exported_yet(self):
        customer = self.env["res.partner"].create({"name": "Dockside Deli", "email": "hello@dockside.example"})
        product = self.env["product.product"].create({"name": "Cold brew keg", "list_price": 60.0})
        order = self.env["sale.order"].create({
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2, "price_unit": 60.0,
                                           "tax_ids": False})]})
        intent = f"pi_{uuid.uuid4().hex[:24]}"
        charge = self.charge(amount=12000, intent=intent, email="hello@dockside.example",
                             metadata={"odoo_order": order.name})
        # Both events of one payment: one Xero payment.
        self.post_stripe(self.stripe_event("payment_intent.succeeded", {
            "id": intent, "object": "payment_intent", "amount": 12000, "amount_received": 12000, "currency": "usd",
            "invoice": None,
            "status": "succeeded", "latest_charge": charge["id"], "metadata": {"odoo_order": order.name},
            "receipt_email": "hello@dockside.example", "created": 1772366400}))
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertTrue(order.xero_invoice_id, "the order is exported first")
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Invoice"]["InvoiceID"], order.xero_invoice_id)
        self.assertEqual(pay["Amount"], 120.0)
        self.assertEqual(self.Payment.search_count([]), 1)

    def test_fee_booked_once_even_when_it_comes_later(self):
        charge = self.charge(amount=2000, fee=None)  # asynchronous capture: no balance transaction yet
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertFalse(self.xero("BankTransactions"))
        self.assertIn("not settled", self.Event.search([("object_id", "=", charge["id"])]).outcome)
        updated = self.charge(charge_id=charge["id"], amount=2000, fee=88)  # settled: Stripe now has its fee
        for _delivery in range(2):  # the update twice (two events), then the first again
            self.post_stripe(self.stripe_event("charge.updated", updated))
        self.post_stripe(self.stripe_event("charge.succeeded", self.charge(charge_id=charge["id"], amount=2000, fee=88)))
        self.process()
        self.assertEqual(self.stripe_reads(), [f"/v1/charges/{charge['id']}"] * 2,
                         "read when unknown: once unsettled, once settled; never again once known")
        [fee] = [t for t in self.xero("BankTransactions") if t["Status"] == "AUTHORISED"]
        self.assertEqual(fee["Type"], "SPEND")
        self.assertEqual(fee["Total"], 0.88)
        self.assertEqual(fee["BankAccount"]["AccountID"], self.account("Stripe")[0]["AccountID"])
        self.assertEqual(fee["LineItems"][0]["AccountCode"], "404")
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len(self.account("Stripe")), 1)

    def test_fee_with_the_charge(self):
        charge = self.charge(amount=10000, fee=320, expanded=True)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 3.2)
        self.assertEqual(fee["Reference"], f"Stripe fee {charge['id']}")
        self.assertFalse(self.stripe_reads(), "the event carried the balance transaction: Stripe is not asked")

    def test_fee_waits_for_its_payment(self):
        """A fee goes once its payment is in Xero: while the payment is blocked (here its customer's contact is
        archived in Xero, so Xero refuses its invoice), the fee waits with it, and the clearing account is not left
        a fee short. Retrying the fee sends the whole chain again: its payment and the invoice that one waits for."""
        contact = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Contacts", {"Contacts": [
            {"Name": "Archived Roasters", "EmailAddress": "archived@roasters.example"}]})["Contacts"][0]
        self.env["res.partner"].with_context(xero_from_xero=True).create({
            "name": "Archived Roasters", "email": "archived@roasters.example", "customer_rank": 1,
            "xero_contact_id": contact["ContactID"]})
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Contacts", {"Contacts": [
            {"ContactID": contact["ContactID"], "ContactStatus": "ARCHIVED"}]})
        charge = self.charge(amount=5000, fee=175, expanded=True, email="archived@roasters.example",
                             name="Archived Roasters")
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        payment = self.Payment.search([("charge_ref", "=", charge["id"])])
        jobs = {job.operation: job for job in payment.job_ids}
        self.assertEqual(jobs["invoice"].state, "blocked", jobs["invoice"].error)
        self.assertEqual(jobs["payment"].state, "blocked")
        self.assertFalse(self.xero("BankTransactions"), "no fee booked for a payment Xero does not have")
        self.env["xero.job"]._xero_send()  # the sender's next run sees what the fee waits for is blocked
        self.assertEqual(jobs["bank_transaction"].state, "blocked", "the fee waits for its payment")
        self.assertIn("Waiting for", jobs["bank_transaction"].error)
        self.assertFalse(self.xero("BankTransactions"))
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Contacts", {"Contacts": [
            {"ContactID": contact["ContactID"], "ContactStatus": "ACTIVE"}]})
        jobs["bank_transaction"].with_user(self.xero_admin).action_retry()
        self.assertEqual({job.state for job in jobs.values()}, {"pending"}, "the chain is sent again")
        self.env["xero.job"]._xero_send()
        self.env.invalidate_all()
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 1.75)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)

    def test_fee_read_from_stripe(self):
        # What Stripe really sends: the balance transaction by id; the connector reads it (one call).
        charge = self.charge(amount=4200, fee=152, intent="pi_read_fee")
        self.assertIsInstance(charge["balance_transaction"], str)
        for _delivery in range(3):
            self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.post_stripe(self.stripe_event("payment_intent.succeeded", {
            "id": "pi_read_fee", "object": "payment_intent", "amount": 4200, "amount_received": 4200, "invoice": None,
            "currency": "usd", "status": "succeeded", "latest_charge": charge["id"], "receipt_email": "ana@lagoon.example",
            "created": 1772366400, "metadata": {}}))
        self.process()
        self.assertEqual(self.stripe_reads(), [f"/v1/charges/{charge['id']}"])
        self.assertEqual(self.gc.requests[0][1], f"Bearer {STRIPE_KEY}")
        [fee] = self.xero("BankTransactions")
        self.assertEqual((fee["Total"], fee["CurrencyCode"], fee["LineItems"][0]["AccountCode"]), (1.52, "USD", "404"))
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        payment = self.Payment.search([("key", "=", "pi_read_fee")])
        self.assertEqual((payment.fee_amount, payment.xero_state), (1.52, "done"))

    def test_fee_of_a_subscription_payment_read_by_its_intent(self):
        charge = self.charge(amount=3000, fee=117, intent="pi_sub_only")
        self.post_stripe(self.stripe_event("invoice.paid", {
            "id": "in_sub_only", "object": "invoice", "number": "NUM-0001", "currency": "usd", "amount_paid": 3000,
            "customer_email": "club@beans.example", "customer_name": "Bean Club", "subscription": "sub_1",
            "payment_intent": "pi_sub_only", "status": "paid", "status_transitions": {"paid_at": 1772323260},
            "lines": {"object": "list", "data": [{"description": "Monthly beans", "amount": 3000, "quantity": 1,
                                                  "period": {"start": 1772323200, "end": 1775001600}}]}}))
        self.process()
        self.assertEqual(self.stripe_reads(), ["/v1/payment_intents/pi_sub_only"])
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 1.17)
        self.assertEqual(fee["Reference"], f"Stripe fee {charge['id']}", "the charge learnt from Stripe")

    def test_fee_without_a_stripe_key_or_with_a_wrong_one(self):
        charge = self.charge(amount=2500, fee=103)
        self.company.sudo().xero_stripe_api_key = False
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([("object_id", "=", charge["id"])])
        self.assertEqual(event.state, "done")
        self.assertIn("set a Stripe API key", event.outcome)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1, "the payment is recorded all the same")
        self.assertFalse(self.xero("BankTransactions"))
        self.assertFalse(self.stripe_reads())
        self.company.sudo().xero_stripe_api_key = "rk_test_revoked"
        event.action_xero_retry()
        self.process()
        self.assertIn("Invalid API Key", event.outcome)
        self.assertNotIn("rk_test_revoked", event.outcome)
        self.assertFalse(self.xero("BankTransactions"))
        self.company.sudo().xero_stripe_api_key = STRIPE_KEY
        event.action_xero_retry()
        self.process()
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 1.03)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1, "retrying the event did not pay twice")

    def test_dispute_withdraws_and_reinstates_the_payment(self):
        charge = self.charge(amount=6000, intent="pi_disputed", fee=204)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [pay] = self.payments_ref(charge["id"])
        invoice_id = pay["Invoice"]["InvoiceID"]

        def dispute(kind, created, amount=6000, dispute_id="dp_1", transactions=()):
            return self.stripe_event(f"charge.dispute.{kind}", {
                "id": dispute_id, "object": "dispute", "amount": amount, "currency": "usd", "charge": charge["id"],
                "payment_intent": "pi_disputed", "reason": "fraudulent", "status": "needs_response",
                "balance_transactions": list(transactions)}, created=created)

        # Stripe's dispute fee comes with the withdrawal (its balance transaction, expanded in the dispute).
        taken = {"id": "txn_dispute_1", "object": "balance_transaction", "amount": -6000, "fee": 1500, "net": -7500,
                 "currency": "usd", "created": 1772400000, "reporting_category": "dispute"}
        withdrawn = dispute("funds_withdrawn", 1772400000, transactions=[taken])
        for _delivery in range(2):
            self.post_stripe(withdrawn)
        self.process()
        self.assertFalse(self.payments_ref(charge["id"]))
        invoice = self.invoice_of(invoice_id)
        self.assertEqual((invoice["Status"], invoice["AmountDue"]), ("AUTHORISED", 60.0))
        payment = self.Payment.search([("key", "=", "pi_disputed")])
        self.assertEqual(payment.xero_state, "reversed")
        self.assertIn("dp_1 (fraudulent)", payment.reversal_reason)
        [dispute_fee] = [t for t in self.xero("BankTransactions") if "txn_dispute_1" in t["Reference"]]
        self.assertEqual((dispute_fee["Type"], dispute_fee["Total"], dispute_fee["LineItems"][0]["AccountCode"]),
                         ("SPEND", 15.0, "404"))
        self.assertIn(charge["id"], dispute_fee["LineItems"][0]["Description"])
        self.assertEqual(self.Payment.search([("kind", "=", "fee")]).origin_id, payment)
        # The dispute is won, and Stripe gives the fee back (a second balance transaction; the dispute lists
        # both); a late copy of an older withdrawal (another event id) then changes nothing.
        given_back = {"id": "txn_dispute_2", "object": "balance_transaction", "amount": 6000, "fee": -1500,
                      "net": 7500, "currency": "usd", "created": 1772500000, "reporting_category": "dispute_reversal"}
        self.post_stripe(dispute("funds_reinstated", 1772500000, transactions=[taken, given_back]))
        self.process()
        [returned] = [t for t in self.xero("BankTransactions") if "txn_dispute_2" in t["Reference"]]
        self.assertEqual((returned["Type"], returned["Total"]), ("RECEIVE", 15.0))
        self.post_stripe(dispute("funds_withdrawn", 1772399000))
        self.process()
        [again] = self.payments_ref(charge["id"])
        self.assertEqual(again["Invoice"]["InvoiceID"], invoice_id)
        self.assertEqual(self.invoice_of(invoice_id)["Status"], "PAID")
        self.assertEqual(payment.xero_state, "done")
        self.assertIn("older", self.Event.search([("event_type", "=", "charge.dispute.funds_withdrawn")],
                                                 order="provider_created", limit=1).outcome)
        # A partial withdrawal is not guessed at: marked "not handled", nothing changes in Xero.
        self.post_stripe(dispute("funds_withdrawn", 1772600000, amount=1500, dispute_id="dp_2"))
        self.process()
        partial = self.Event.search([("object_id", "=", "dp_2")])
        self.assertEqual(partial.state, "ignored")
        self.assertIn("partial", partial.outcome)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len(self.xero("BankTransactions")), 3,
                         "the charge's fee stays (Stripe keeps it); the dispute fee and its return, once each")

    def test_dispute_of_a_payment_not_recorded_yet(self):
        charge = self.charge(amount=5000, currency="jpy", intent="pi_jpy_disputed")
        self.post_stripe(self.stripe_event("charge.succeeded", charge, created=1772400000))
        self.process()
        charge_event = self.Event.search([("object_id", "=", charge["id"])])
        self.assertEqual(charge_event.state, "failed", "the organisation has no JPY")
        self.post_stripe(self.stripe_event("charge.dispute.funds_withdrawn", {
            "id": "dp_jpy", "object": "dispute", "amount": 5000, "currency": "jpy", "charge": charge["id"],
            "payment_intent": "pi_jpy_disputed", "reason": "fraudulent", "balance_transactions": []},
            created=1772500000))
        self.process()
        dispute_event = self.Event.search([("object_id", "=", "dp_jpy")])
        self.assertEqual(dispute_event.state, "failed", "not marked done while its payment may still be recorded")
        self.assertIn("not recorded yet", dispute_event.outcome)
        # JPY added in Xero; the user retries the payment's event, then the dispute's (or its next try comes).
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Currencies", {"Currencies": [{"Code": "JPY"}]})
        charge_event.action_xero_retry()
        dispute_event.action_xero_retry()
        self.process()
        self.assertEqual((charge_event.state, dispute_event.state), ("done", "done"), dispute_event.outcome)
        self.assertFalse(self.payments_ref(charge["id"]), "the funds were withdrawn: no payment stays in Xero")
        self.assertEqual(self.Payment.search([("key", "=", "pi_jpy_disputed")]).xero_state, "reversed")
        # A dispute of a charge the connector never heard of changes nothing and ends there.
        self.post_stripe(self.stripe_event("charge.dispute.funds_withdrawn", {
            "id": "dp_unknown", "object": "dispute", "amount": 700, "currency": "usd", "charge": "ch_before_us",
            "reason": "general"}))
        self.process()
        self.assertEqual(self.Event.search([("object_id", "=", "dp_unknown")]).state, "done")

    def test_payout_is_a_transfer_to_the_bank(self):
        payout = self.stripe_event("payout.paid", {
            "id": "po_1Weekly", "object": "payout", "amount": 46310, "currency": "usd", "arrival_date": 1772668800,
            "status": "paid", "type": "bank_account", "automatic": True})
        self.post_stripe(payout)
        self.process()
        event = self.Event.search([("object_id", "=", "po_1Weekly")])
        self.assertEqual(event.state, "ignored", "no bank account chosen for payouts")
        self.assertIn("Payouts arrive in", event.outcome)
        self.assertFalse(self.xero("BankTransfers"))
        settings = self.env["res.config.settings"].create({})
        self.connection._xero_refresh_lists(["accounts"])
        settings.xero_payout_account_id = self.env["xero.account"].search([("company_id", "=", self.company.id),
                                                                           ("code", "=", "090")])
        settings.execute()
        self.assertEqual(self.company.xero_payout_account_code, "090")
        event.action_xero_retry()
        self.post_stripe(payout)  # delivered again meanwhile
        self.process()
        [transfer] = self.xero("BankTransfers")
        self.assertEqual((transfer["FromBankAccount"]["Code"], transfer["ToBankAccount"]["Code"], transfer["Amount"]),
                         ("STRIPE", "090", 463.1))
        self.assertEqual(transfer["Reference"], "Stripe payout po_1Weekly")
        row = self.Payment.search([("kind", "=", "payout")])
        self.assertEqual((row.name, row.xero_state, row.xero_transfer_id),
                         ("Stripe payout po_1Weekly", "done", transfer["BankTransferID"]))

    def test_charge_settled_in_the_base_currency_sends_stripes_rate(self):
        # A EUR charge settled into the USD balance at 1.08 USD per EUR: Xero gets 1/1.08 EUR per USD.
        charge = self.charge(amount=5000, currency="eur", fee=187, settled=("usd", 1.08))
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [payment] = self.payments_ref(charge["id"])
        self.assertAlmostEqual(payment["CurrencyRate"], 0.925926, places=6)
        self.assertEqual(payment["Amount"], 50.0)
        invoice = self.invoice_of(payment["Invoice"]["InvoiceID"])
        self.assertEqual((invoice["CurrencyCode"], invoice["Status"]), ("EUR", "PAID"))
        [fee] = self.xero("BankTransactions")
        self.assertEqual((fee["Total"], fee["CurrencyCode"]), (1.87, "USD"))

    def test_zero_decimal_currency_and_missing_currency(self):
        charge = self.charge(amount=5000, currency="jpy")
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([])
        self.assertEqual(event.state, "failed")
        self.assertIn("no currency JPY", event.outcome)
        self.assertFalse(self.xero("Payments"))
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Currencies", {"Currencies": [{"Code": "JPY"}]})
        event.action_xero_retry()
        self.process()
        self.assertEqual(event.state, "done", event.outcome)
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Amount"], 5000.0, "JPY has no minor unit: 5000 is ¥5,000")
        self.assertEqual(self.invoice_of(pay["Invoice"]["InvoiceID"])["CurrencyCode"], "JPY")

    def test_refund(self):
        charge = self.charge(amount=3000)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        refunded = dict(charge, amount_refunded=1000, refunds={"object": "list", "data": [
            {"id": "re_first", "amount": 1000, "status": "succeeded", "created": 1772452800}]})
        for _delivery in range(2):
            self.post_stripe(self.stripe_event("charge.refunded", refunded))
        self.process()
        [note] = self.xero("CreditNotes")
        self.assertEqual(note["Total"], 10.0)
        self.assertEqual(note["Type"], "ACCRECCREDIT")
        refund_pay = [p for p in self.payments_ref(charge["id"]) if p.get("CreditNote")]
        self.assertEqual(len(refund_pay), 1)
        self.assertEqual(refund_pay[0]["Amount"], 10.0)
        # A charge made before the connector (nothing recorded for it), refunded twice, in an API version whose
        # charges no longer list their refunds: 10.00, then 5.00 more (amount_refunded 15.00), once each.
        earlier = self.charge(amount=4000)
        for so_far in (1000, 1500, 1500):
            self.post_stripe(self.stripe_event("charge.refunded", dict(earlier, amount_refunded=so_far)))
            self.process()
        notes = [n for n in self.xero("CreditNotes") if earlier["id"] in n["Reference"]]
        self.assertEqual(sorted(n["Total"] for n in notes), [5.0, 10.0])
        # Disabled: a clear "not handled".
        self.company.sudo().xero_payment_refunds = False
        self.post_stripe(self.stripe_event("charge.refunded", dict(refunded, id="ch_other")))
        self.process()
        ignored = self.Event.search([("object_id", "=", "ch_other")])
        self.assertEqual(ignored.state, "ignored")
        self.assertIn("Not handled", ignored.outcome)
        self.assertEqual(len(self.xero("CreditNotes")), 3)
