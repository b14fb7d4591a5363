"""The providers' clearing bank accounts in Xero: chosen from Xero's chart (by code, or by AccountID for one without a
code), else the one named after the provider, created through the outbox when missing (a Sync Log line), never
twice; Xero's refusal, an Australian organisation, and events waiting for their account."""

from odoo.tests import tagged

from .test_payments_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestPaymentClearingAccounts(XeroPaymentCase):
    def test_bank_accounts_without_a_code(self):
        # Xero's bank accounts need no code (those made from a bank feed often have none): they can still be
        # chosen, as the clearing account and as where payouts arrive, and are named by AccountID.
        made = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Accounts", {"Accounts": [
            {"Type": "BANK", "Name": "Main Cheque (feed)", "BankAccountNumber": "12-3456-7890"},
            {"Type": "BANK", "Name": "Stripe balance", "BankAccountNumber": "STRIPE-BAL"}]})["Accounts"]
        self.assertEqual([a.get("Code") for a in made], ["", ""])
        main, balance = made[0]["AccountID"], made[1]["AccountID"]
        self.connection._xero_refresh_lists(["accounts"])
        Account = self.env["xero.account"]
        settings = self.env["res.config.settings"].create({})
        settings.write({"xero_payout_account_id": Account.search([("xero_id", "=", main)]).id,
                        "xero_stripe_account_id": Account.search([("xero_id", "=", balance)]).id})
        settings.execute()
        self.assertEqual((self.company.xero_payout_account_code, self.company.xero_stripe_account_code),
                         (main, balance))
        self.assertEqual(self.env["res.config.settings"].create({}).xero_payout_account_id.name,
                         "Main Cheque (feed)", "the dropdown shows the chosen account again")
        charge = self.charge(amount=2000, fee=88, expanded=True)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.post_stripe(self.stripe_event("payout.paid", {
            "id": "po_nocode", "object": "payout", "amount": 1912, "currency": "usd", "arrival_date": 1772668800,
            "status": "paid", "type": "bank_account", "automatic": True}))
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        self.assertEqual(self.payments_ref(charge["id"])[0]["Account"]["AccountID"], balance)
        [transfer] = self.xero("BankTransfers")
        self.assertEqual((transfer["FromBankAccount"]["AccountID"], transfer["ToBankAccount"]["AccountID"],
                          transfer["Amount"]), (balance, main, 19.12))
        self.assertFalse(self.account("Stripe"), "a chosen account: nothing created")
        self.assertIn("Main Cheque (feed)", self.Event.search([("object_id", "=", "po_nocode")]).outcome)
        # Archived in Xero since: the event says so; no account is made up in its place.
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Accounts", {"Accounts": [{"AccountID": balance,
                                                                               "Status": "ARCHIVED"}]})
        self.post_stripe(self.stripe_event("charge.succeeded", self.charge(amount=900)))
        self.process()
        failed = self.Event.search([("state", "=", "failed")])
        self.assertIn(f"AccountID {balance}", failed.outcome)
        self.assertIn("is not an active account", failed.outcome)
        self.assertEqual(len(self.xero("Accounts")), len(self.connection.xero_account_ids))

    def test_bank_account_created_only_when_missing(self):
        for _payment in range(2):
            self.post_stripe(self.stripe_event("charge.succeeded", self.charge()))
            self.process()
        self.assertEqual(len(self.account("Stripe")), 1)
        puts = [c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                if c["method"] == "PUT" and c["path"].endswith("/Accounts")]
        self.assertEqual(len(puts), 1)
        # A chosen account that exists is used as it is: nothing created.
        self.company.sudo().xero_stripe_account_code = "090"
        charge = self.charge()
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertEqual(self.payments_ref(charge["id"])[0]["Account"]["Code"], "090")
        self.assertEqual(len([c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                              if c["method"] == "PUT" and c["path"].endswith("/Accounts")]), 1)
        # A chosen code that Xero lacks is created as a bank account named Stripe.
        self.company.sudo().xero_stripe_account_code = "STR1"
        self.post_stripe(self.stripe_event("charge.succeeded", self.charge()))
        self.process()
        created = [a for a in self.xero("Accounts") if a.get("Code") == "STR1"]
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["Type"], "BANK")

    def test_accounts_chosen_from_xeros_chart(self):
        self.connection._xero_refresh_lists(["accounts"])
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_payment_fee_account_id.code, "404", "the stored code shows in the dropdown")
        self.assertFalse(settings.xero_stripe_account_id, "empty: the account named Stripe")
        Account = self.env["xero.account"]
        bank = Account.search([("company_id", "=", self.company.id), ("code", "=", "090")])
        self.assertEqual(bank.account_type, "BANK")
        settings.write({"xero_stripe_account_id": bank.id,
                        "xero_payment_fee_account_id": Account.search([("company_id", "=", self.company.id),
                                                                       ("code", "=", "400")]).id})
        settings.execute()
        self.assertEqual((self.company.xero_stripe_account_code, self.company.xero_payment_fee_account_code),
                         ("090", "400"))
        charge = self.charge(fee=90, expanded=True)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertEqual(self.payments_ref(charge["id"])[0]["Account"]["Code"], "090")
        self.assertEqual(self.xero("BankTransactions")[0]["LineItems"][0]["AccountCode"], "400")
        self.assertFalse(self.account("Stripe"), "a chosen account: nothing created")

    def test_clearing_account_refused_by_xero_and_in_an_australian_organisation(self):
        self.company.sudo().xero_stripe_account_code = "STRIPE-CLEARING-AC"  # longer than Xero's 10
        charge = self.charge()
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([("object_id", "=", charge["id"])])
        self.assertEqual(event.state, "failed")
        self.assertIn("Xero refused to create the Stripe clearing bank account", event.outcome)
        self.assertIn("10 characters", event.outcome)
        self.assertFalse(self.Payment.search([]), "nothing recorded half-way")
        self.assertFalse([i for i in self.xero("Invoices") if "Stripe" in (i.get("Reference") or "")])
        # An Australian organisation: the created account has a BSB-style number, which Xero requires there.
        wombat = self.sandbox_post("/_sandbox/orgs", {"name": "Wombat Pty", "base_currency": "AUD", "country": "AU"})
        self.org = wombat["tenant_id"]
        connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(connection.tenant_id, self.org)
        self.company.sudo().xero_stripe_account_code = False
        charge = self.charge(currency="aud")
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [account] = self.account("Stripe")
        self.assertEqual(account["Type"], "BANK")
        self.assertRegex(account["BankAccountNumber"], r"^000000\d{6,9}$")
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)

    def test_events_wait_for_their_clearing_account_in_the_outbox(self):
        """The clearing account is created through the outbox (a Sync Log line). Xero's answers to it are lost: the
        job waits, outcome unknown, and Stripe's events wait with it (pending, not failed, nothing recorded); the
        sender's next try finds the account Xero made, by its code, and the events go on."""
        self.sandbox_post("/_sandbox/faults", {"kind": "lost_response", "tenant": self.org, "method": "PUT",
                                               "path": "/api.xro/2.0/Accounts", "count": 4})
        first, second = self.charge(amount=1500, fee=60, expanded=True), self.charge(amount=2500)
        for charge in (first, second):
            self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        events = self.Event.search([], order="id")
        self.assertEqual([(e.state, e.attempts) for e in events], [("pending", 0), ("pending", 0)])
        self.assertIn("Waits for the Stripe clearing bank account", events[0].outcome)
        self.assertFalse(self.Payment.search([]), "nothing recorded before the account is known")
        [job] = self.env["xero.job"].search([("operation", "=", "bank_account")])
        self.assertRecordValues(job, [{"state": "retry", "resource": "Accounts", "method": "PUT",
                                       "outcome_unknown": True, "res_model": "xero.clearing.account"}])
        self.assertEqual(job.display_label, "Stripe clearing bank account STRIPE → Bank Account (create)")
        job.next_try = False
        self.env["xero.job"]._xero_send()
        self.assertEqual(job.state, "done", job.error)
        self.assertIn("found_by_lookup", job.response_excerpt)
        self.process()
        self.assertEqual(events.mapped("state"), ["done", "done"], events.mapped("outcome"))
        self.assertEqual(len(self.account("Stripe")), 1, "made once")
        self.assertEqual([len(self.payments_ref(c["id"])) for c in (first, second)], [1, 1])
        self.assertEqual(len(self.xero("BankTransactions")), 1, "the first charge's fee")

    def test_a_chart_xero_cannot_serve_when_the_run_begins(self):
        """Xero's chart cannot be read when the run begins (503s past the client's retries): the run goes on, the
        event waits for its account (pending, no attempt spent), and the next run creates it and records it."""
        self.sandbox_post("/_sandbox/faults", {"kind": "503", "tenant": self.org, "method": "GET",
                                               "path": "/api.xro/2.0/Accounts", "count": 4})
        charge = self.charge()
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([])
        self.assertEqual((event.state, event.attempts), ("pending", 0), event.outcome)
        self.assertFalse(self.env["xero.job"].search([("operation", "=", "bank_account")]))
        self.process()
        self.assertEqual(event.state, "done", event.outcome)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len(self.account("Stripe")), 1)
