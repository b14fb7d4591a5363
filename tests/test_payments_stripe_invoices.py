"""Stripe's subscriptions → Xero: one invoice per period from ``invoice.paid`` (its lines, tax, the customer's Stripe
balance), in API versions before and after 2025-03-31."""

from odoo.tests import tagged

from .common import STRIPE_KEY
from .test_payments_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestStripeSubscriptions(XeroPaymentCase):
    def test_subscription_period_invoice(self):
        def paid(invoice_id, intent, start, end, amount):
            return self.stripe_event("invoice.paid", {
                "id": invoice_id, "object": "invoice", "number": f"NUM-{invoice_id[-4:]}", "currency": "usd",
                "amount_paid": amount, "customer_email": "club@beans.example", "customer_name": "Bean Club",
                "subscription": "sub_roastery", "payment_intent": intent, "status": "paid",
                "status_transitions": {"paid_at": start + 60}, "period_start": start, "period_end": end,
                "lines": {"object": "list", "data": [
                    {"id": "il_1", "description": "1 × Monthly beans (at $30.00 / month)", "amount": 3000,
                     "quantity": 1, "period": {"start": start, "end": end}},
                    {"id": "il_2", "description": "Grinder rental", "amount": amount - 3000, "quantity": 2,
                     "period": {"start": start, "end": end}}]}})

        march, april, may = 1772323200, 1775001600, 1777593600  # 2026-03-01, 2026-04-01, 2026-05-01 UTC
        # The charge of the first period arrives first: it waits for the invoice's lines.
        first = self.charge(amount=4000, intent="pi_period1", invoice="in_period1", email="club@beans.example",
                            fee=146)
        self.post_stripe(self.stripe_event("charge.succeeded", first))
        self.process()
        self.assertFalse(self.payments_ref(first["id"]))
        waiting = self.Event.search([("object_id", "=", first["id"])])
        self.assertIn("invoice.paid", waiting.outcome)
        self.post_stripe(paid("in_period1", "pi_period1", march, april, 4000))
        self.post_stripe(paid("in_period2", "pi_period2", april, may, 4000))
        self.post_stripe(paid("in_period2", "pi_period2", april, may, 4000))  # a different event, same invoice
        self.process()
        invoices = [i for i in self.xero("Invoices") if "Stripe" in i["Reference"]]
        self.assertEqual(len(invoices), 2, "one invoice per period")
        first_invoice = next(i for i in invoices if first["id"] in i["Reference"])
        self.assertIn("2026-03-01", first_invoice["Reference"])
        self.assertEqual([li["Description"] for li in first_invoice["LineItems"]],
                         ["1 × Monthly beans (at $30.00 / month)", "Grinder rental"])
        self.assertEqual(first_invoice["LineItems"][1]["UnitAmount"], 5.0)
        self.assertEqual(first_invoice["Status"], "PAID")
        self.assertEqual(len(self.payments_ref(first["id"])), 1)
        self.assertEqual(len(self.xero("BankTransactions")), 1, "the first period's fee")
        self.assertEqual(self.Payment.search_count([]), 2)

    def test_subscription_payments_from_api_version_2025(self):
        """basil and later: charges and payment intents no longer name their invoice, nor invoices their payment
        intent; the link is read from Stripe's invoice payments, so a subscription's charge and its invoice.paid
        stay one payment, whichever comes first."""
        basil = "2025-03-31.basil"

        def charge(intent, amount):
            data = self.charge(amount=amount, intent=intent, email="club@beans.example", fee=117)
            data.pop("invoice")
            return self.stripe_event("charge.succeeded", data, api_version=basil)

        def paid(invoice_id, amount, start):
            return self.stripe_event("invoice.paid", {
                "id": invoice_id, "object": "invoice", "currency": "usd", "amount_paid": amount, "total": amount,
                "customer_email": "club@beans.example", "customer_name": "Bean Club", "status": "paid",
                "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_basil"}},
                "status_transitions": {"paid_at": start + 60}, "total_taxes": [],
                "lines": {"object": "list", "data": [{"id": f"il_{invoice_id}", "description": "Monthly beans",
                                                      "amount": amount, "quantity": 1, "taxes": [],
                                                      "period": {"start": start, "end": start + 2678400}}]}},
                api_version=basil)

        for invoice_id, intent in (("in_basil1", "pi_basil1"), ("in_basil2", "pi_basil2")):
            self.gc.data["invoice_payments"].append({
                "id": f"inpay_{invoice_id}", "object": "invoice_payment", "invoice": invoice_id, "status": "paid",
                "amount_paid": 3000, "currency": "usd", "is_default": True,
                "payment": {"type": "payment_intent", "payment_intent": intent}})
        first_charge, second_charge = charge("pi_basil1", 3000), charge("pi_basil2", 3000)
        # Period 1: the charge first, then the invoice; period 2: the other way round.
        self.post_stripe(first_charge)
        self.process()
        self.assertFalse(self.xero("Payments"), "the charge waits for its invoice's lines")
        self.post_stripe(paid("in_basil1", 3000, 1772323200))
        self.post_stripe(paid("in_basil2", 3000, 1775001600))
        self.process()
        self.post_stripe(second_charge)
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        self.assertEqual(sorted(self.Payment.search([]).mapped("key")), ["pi_basil1", "pi_basil2"], "one each")
        self.assertEqual(set(self.Payment.search([]).mapped("subscription_ref")), {"sub_basil"})
        invoices = [i for i in self.xero("Invoices") if i["Reference"].startswith("Stripe ")]
        self.assertEqual(len(invoices), 2, "one Xero invoice per period")
        self.assertEqual({i["LineItems"][0]["Description"] for i in invoices}, {"Monthly beans"})
        self.assertEqual({i["Status"] for i in invoices}, {"PAID"})
        self.assertEqual(len(self.xero("Payments")), 2)
        self.assertIn("/v1/invoice_payments", self.stripe_reads())
        # A one-off charge (no invoice pays it) is recorded on its own, not kept waiting.
        self.post_stripe(charge("pi_basil_one_off", 1500))
        self.process()
        self.assertEqual(self.Payment.search([("key", "=", "pi_basil_one_off")]).xero_state, "done")
        # Without a Stripe key the link cannot be known: the event fails and says why, nothing is recorded
        # (recorded blind, a subscription payment could be recorded twice); with the key, a retry records it.
        self.company.sudo().xero_stripe_api_key = False
        self.post_stripe(charge("pi_basil_nokey", 1800))
        self.process()
        failed = self.Event.search([("state", "=", "failed")])
        self.assertIn("API version 2025-03-31 or later", failed.outcome)
        self.assertIn("Stripe API key", failed.outcome)
        self.assertFalse(self.Payment.search([("key", "=", "pi_basil_nokey")]))
        self.company.sudo().xero_stripe_api_key = STRIPE_KEY
        failed.action_xero_retry()
        self.process()
        self.assertEqual(failed.state, "done", failed.outcome)
        self.assertEqual(len(self.xero("Payments")), 4)

    def test_basil_pair_of_one_intent_reads_invoice_payments_once(self):
        """basil: a card payment's payment_intent.succeeded and charge.succeeded, processed in one run, read
        Stripe's invoice payments of their intent once (the link is kept for the run), and stay one payment."""
        basil = "2025-03-31.basil"
        intent = "pi_basil_pair"
        self.gc.data["invoice_payments"].append({
            "id": "inpay_pair", "object": "invoice_payment", "invoice": "in_pair", "status": "paid",
            "amount_paid": 2500, "currency": "usd", "is_default": True,
            "payment": {"type": "payment_intent", "payment_intent": "pi_other"}})
        data = self.charge(amount=2500, intent=intent, email="pair@beans.example", fee=103)
        data.pop("invoice")
        self.post_stripe(self.stripe_event("payment_intent.succeeded", {
            "id": intent, "object": "payment_intent", "amount": 2500, "amount_received": 2500, "currency": "usd",
            "status": "succeeded", "latest_charge": data["id"], "receipt_email": "pair@beans.example",
            "created": 1772366400}, api_version=basil))
        self.post_stripe(self.stripe_event("charge.succeeded", data, api_version=basil))
        self.gc.requests.clear()
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        self.assertEqual(self.Payment.search([]).mapped("key"), [intent], "one payment")
        reads = self.stripe_reads()
        # No invoice pays it: asked once for both events; the fee read once.
        self.assertEqual(reads.count("/v1/invoice_payments"), 1, reads)
        self.assertEqual(len(reads), 2, reads)
        # Now an intent an invoice pays: its link is read once for both events of the run.
        intent2 = "pi_basil_pair2"
        self.gc.data["invoice_payments"].append({
            "id": "inpay_pair2", "object": "invoice_payment", "invoice": "in_pair2", "status": "paid",
            "amount_paid": 2500, "currency": "usd", "is_default": True,
            "payment": {"type": "payment_intent", "payment_intent": intent2}})
        data2 = self.charge(amount=2500, intent=intent2, email="pair@beans.example", fee=103)
        data2.pop("invoice")
        self.post_stripe(self.stripe_event("payment_intent.succeeded", {
            "id": intent2, "object": "payment_intent", "amount": 2500, "amount_received": 2500,
            "currency": "usd", "status": "succeeded", "latest_charge": data2["id"],
            "receipt_email": "pair@beans.example", "created": 1772366400}, api_version=basil))
        self.post_stripe(self.stripe_event("charge.succeeded", data2, api_version=basil))
        self.gc.requests.clear()
        self.process()
        reads = self.stripe_reads()
        self.assertEqual(reads.count("/v1/invoice_payments"), 1, reads)

    def test_lines_whose_unit_amount_has_more_decimals_than_xero_keeps(self):
        lines = [("3 × Seat (at $3.3333 / month)", 3, 1000), ("Usage: 1,000 calls", 1000, 1),
                 ("2 × Grinder rental", 2, 1000)]
        self.post_stripe(self.stripe_event("invoice.paid", {
            "id": "in_units", "object": "invoice", "currency": "usd", "amount_paid": 2001, "payment_intent": "pi_units",
            "customer_email": "club@beans.example", "customer_name": "Bean Club", "subscription": "sub_units",
            "status": "paid", "status_transitions": {"paid_at": 1772323260},
            "lines": {"object": "list", "data": [{"description": d, "quantity": q, "amount": a} for d, q, a in lines]}}))
        self.process()
        payment = self.Payment.search([("key", "=", "pi_units")])
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        invoice = self.invoice_of(payment.xero_invoice_id)
        self.assertEqual([(li["Quantity"], li["UnitAmount"], li["LineAmount"]) for li in invoice["LineItems"]],
                         [(3, 3.3333, 10.0), (1, 0.01, 0.01), (2, 5.0, 10.0)],
                         "4 decimals kept (unitdp=4); quantity 1 where even they are not enough (0.00001 a call)")
        self.assertEqual((invoice["Total"], invoice["Status"]), (20.01, "PAID"))

    def test_invoice_paid_in_part_from_the_customers_stripe_balance(self):
        # 30.00 of lines, 10.00 of it paid from a credit the customer had in Stripe (a proration): 20.00 paid.
        self.post_stripe(self.stripe_event("invoice.paid", {
            "id": "in_balance", "object": "invoice", "number": "NUM-BAL", "currency": "usd", "amount_paid": 2000,
            "total": 3000, "starting_balance": -1000, "ending_balance": 0, "payment_intent": "pi_balance",
            "customer_email": "club@beans.example", "customer_name": "Bean Club", "subscription": "sub_balance",
            "status": "paid", "status_transitions": {"paid_at": 1772323260},
            "lines": {"object": "list", "data": [{"description": "Monthly beans", "quantity": 1, "amount": 3000}]}}))
        self.process()
        payment = self.Payment.search([("key", "=", "pi_balance")])
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        invoice = self.invoice_of(payment.xero_invoice_id)
        self.assertEqual([(li["Description"], li["LineAmount"]) for li in invoice["LineItems"]],
                         [("Monthly beans", 30.0), ("Paid from the customer's Stripe balance", -10.0)])
        self.assertEqual((invoice["Total"], invoice["AmountDue"], invoice["Status"]), (20.0, 0.0, "PAID"),
                         "nothing left owed in Xero for what Stripe's balance paid")

    def test_tax_stripe_charged_is_in_the_invoice(self):
        def paid(invoice_id, intent, amount, line, **taxes):
            return self.stripe_event("invoice.paid", dict({
                "id": invoice_id, "object": "invoice", "currency": "usd", "amount_paid": amount,
                "customer_email": "taxed@beans.example", "customer_name": "Taxed Beans", "subscription": "sub_tax",
                "payment_intent": intent, "status": "paid", "status_transitions": {"paid_at": 1772323260},
                "lines": {"object": "list", "data": [dict({"id": "il_t", "description": "Monthly beans",
                                                           "amount": 3000, "quantity": 1}, **line)]}}, **taxes))

        # API 2025 and later: 15% exclusive tax on 30.00, 34.50 paid. No tax rate chosen for payments: the
        # invoice waits for it and says so, nothing is sent as untaxed sales.
        self.post_stripe(paid("in_tax1", "pi_tax1", 3450, {"taxes": [{"amount": 450, "tax_behavior": "exclusive"}]},
                              total_taxes=[{"amount": 450, "tax_behavior": "exclusive"}]))
        self.process()
        payment = self.Payment.search([("key", "=", "pi_tax1")])
        self.assertEqual((payment.tax_amount, payment.xero_state), (4.5, "blocked"))
        blocked = payment.job_ids.filtered(lambda j: j.state == "blocked")
        self.assertEqual(blocked.mapped("operation"), ["invoice", "payment"])
        self.assertIn("Stripe charged 4.50 USD of tax", blocked[0].error)
        self.assertIn(payment.name, blocked[0].error)
        self.assertFalse([i for i in self.xero("Invoices") if i["Reference"].startswith("Stripe ")])
        # The rate chosen (from Xero's list, in Settings), the user retries: a tax-inclusive invoice whose
        # total is what was paid, and its payment.
        self.connection._xero_refresh_lists(["tax_rates"])
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.xero_payment_tax_rate_id)
        settings.xero_payment_tax_rate_id = self.env["xero.tax.rate"].search(
            [("company_id", "=", self.company.id), ("xero_id", "=", "OUTPUT")])
        settings.execute()
        self.assertEqual(self.company.xero_payment_tax_type, "OUTPUT")
        blocked[1].with_user(self.xero_admin).action_retry()  # the payment: its invoice is re-queued with it
        self.env["xero.job"]._xero_send()
        self.env.invalidate_all()
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        invoice = self.invoice_of(payment.xero_invoice_id)
        self.assertEqual((invoice["LineAmountTypes"], invoice["Total"], invoice["TotalTax"], invoice["Status"]),
                         ("Inclusive", 34.5, 4.5, "PAID"))
        self.assertEqual(invoice["LineItems"][0]["TaxType"], "OUTPUT")
        # Before 2025: ``tax`` and lines' ``tax_amounts``; an inclusive tax is already in the line's amount.
        self.post_stripe(paid("in_tax2", "pi_tax2", 3000, {"tax_amounts": [{"amount": 391, "inclusive": True}]},
                              tax=391))
        self.process()
        second = self.Payment.search([("key", "=", "pi_tax2")])
        self.assertEqual((second.tax_amount, second.xero_state), (3.91, "done"))
        invoice = self.invoice_of(second.xero_invoice_id)
        self.assertEqual((invoice["LineAmountTypes"], invoice["Total"], invoice["TotalTax"], invoice["Status"]),
                         ("Inclusive", 30.0, 3.91, "PAID"))
