from odoo import api, fields, models, tools

from .xero_access import check_owned_fields
from .xero_connection import CONNECTION_CACHE

# What the connector alone writes on a company (its configuration is the Settings administrators').
OWNED_FIELDS = frozenset({"xero_connection_ids", "xero_lead_source_message", "xero_defaults_note"})
# provider → the company's webhook signing secret (the company whose secret verifies a delivery receives it)
SECRET_FIELDS = {"stripe": "xero_stripe_webhook_secret", "gocardless": "xero_gocardless_webhook_secret"}

# The company's active Xero accounts: bank accounts, with or without a code (clearing, payouts), the others that
# have a code (fees: line items name their account by code).
CLEARING_ACCOUNT_DOMAIN = "[('company_id', '=', id), ('status', '=', 'ACTIVE'), ('account_type', '=', 'BANK')]"
FEE_ACCOUNT_DOMAIN = "[('company_id', '=', id), ('status', '=', 'ACTIVE'), ('account_type', '!=', 'BANK'), " \
    "('code', '!=', False)]"
PAYMENT_ACCOUNT_FIELDS = (("xero_stripe_account_code", "xero_stripe_account_id"),
                          ("xero_gocardless_account_code", "xero_gocardless_account_id"),
                          ("xero_payment_fee_account_code", "xero_payment_fee_account_id"),
                          ("xero_payout_account_code", "xero_payout_account_id"))


def _payment_account(string, domain, help_text):
    """A dropdown over one of the payment account codes, from Xero's chart (see PAYMENT_ACCOUNT_FIELDS)."""
    return fields.Many2one("xero.account", string, compute="_compute_xero_payment_accounts",
                           inverse="_inverse_xero_payment_accounts", domain=domain, help=help_text)


class ResCompany(models.Model):
    """The company owns its Xero configuration; Settings → Xero is a thin view on these fields (same names on
    ``res.config.settings``, ``related=``), in blocks:

    - Connection: ``xero_connection_ids`` (the connection itself; the app's credentials are system parameters).
    - Documents: ``xero_auto_export``, ``xero_sale_order_target``, ``xero_invoice_status``,
      ``xero_auto_export_invoices``, ``xero_auto_export_bills``.
    - Mapping: ``xero_sales_account_code`` / ``xero_tax_type`` (stored) with their dropdowns
      ``xero_sales_account_id`` / ``xero_tax_rate_id``, chosen from the organisation's chart on connection
      (``xero_defaults_note``, the connector's); for purchases (vendor bills, purchase orders)
      ``xero_purchase_account_code`` / ``xero_purchase_tax_type`` with ``xero_purchase_account_id`` /
      ``xero_purchase_tax_rate_id``; ``xero_stock_align``.
    - Payments: ``xero_register_payments``, ``xero_payment_journal_id``; Stripe's and GoCardless' secrets
      (write-only in Settings), ``xero_gocardless_record_on``, ``xero_payment_refunds``; the ``*_account_code`` /
      ``xero_payment_tax_type`` codes (stored) with their dropdowns (``PAYMENT_ACCOUNT_FIELDS``,
      ``xero_payment_tax_rate_id``).
    - Lead Source: ``xero_lead_source_category_id``, ``xero_lead_source_message`` (the connector's).
    """

    _inherit = "res.company"

    xero_connection_ids = fields.One2many("xero.connection", "company_id", groups="xero_connector.group_xero_user")
    xero_auto_export = fields.Selection(
        [
            ("none", "Disabled"),
            ("on_confirm", "When the order is confirmed"),
            ("on_po", "When a customer PO reference is added"),
        ],
        string="Auto-export Sales Order to Accounting Software",
        default="none",
        required=True,
    )
    xero_sale_order_target = fields.Selection(
        [("quote", "Quote"), ("invoice", "Invoice")],
        string="Sales Orders Go to Xero As",
        default="invoice",
        required=True,
    )
    xero_invoice_status = fields.Selection(
        [("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Approved")],
        default="AUTHORISED",
        required=True,
        help="Status of the invoices created in Xero. Approved: approved and unpaid, ready to be paid.",
    )
    xero_auto_export_invoices = fields.Boolean(
        "Auto-export Posted Customer Invoices",
        help="Send every posted customer invoice and credit note to Xero as soon as it is posted.",
    )
    xero_auto_export_bills = fields.Boolean(
        "Auto-export Posted Vendor Bills",
        help="Send every posted vendor bill and refund to Xero (as a bill or a supplier credit note) as soon as it "
        "is posted.",
    )
    xero_purchase_account_code = fields.Char(
        "Default Xero Purchase Account Code",
        help="Xero account code of the purchase lines (e.g. 300, an expense account). Bills are blocked, never sent "
        "wrong, without it.",
    )
    xero_purchase_tax_type = fields.Char(
        "Default Xero Purchase Tax Type",
        help="Xero tax type of the taxed purchase lines whose Odoo tax is not mapped (e.g. INPUT).",
    )
    xero_sales_account_code = fields.Char(
        "Default Xero Sales Account Code",
        help="Xero account code of the sales lines (e.g. 200). Exports are blocked, never sent wrong, without it.",
    )
    xero_tax_type = fields.Char(
        "Default Xero Tax Type",
        help="Xero tax type of the taxed sales lines (e.g. OUTPUT). Lines without tax are sent as NONE.",
    )
    xero_defaults_note = fields.Text(
        "Defaults Chosen From Xero", readonly=True,
        help="What the connector chose from the organisation's chart when it was connected (models/"
        "xero_connection_defaults.py).")

    # Payments from Stripe and GoCardless (secrets: system administrators only, never copied).
    xero_stripe_webhook_secret = fields.Char(
        "Stripe Webhook Signing Secret", groups="base.group_system", copy=False,
        help="The endpoint's signing secret (whsec_…) from Stripe → Developers → Webhooks.",
    )
    xero_gocardless_webhook_secret = fields.Char(
        "GoCardless Webhook Secret", groups="base.group_system", copy=False,
        help="The secret of the webhook endpoint created in GoCardless → Developers → Webhook endpoints.",
    )
    xero_gocardless_access_token = fields.Char(
        "GoCardless Access Token", groups="base.group_system", copy=False,
        help="A read-only access token: payments, customers and payout items (fees) are read with it.",
    )
    xero_stripe_api_key = fields.Char(
        "Stripe API Key", groups="base.group_system", copy=False,
        help="A restricted key (rk_…) with read access to charges, payment intents and invoices: Stripe's webhooks "
        "name a payment's balance transaction by id only, so its fee is read from Stripe's API, and from API "
        "version 2025-03-31 on, which invoice a payment pays is read too. Without it, fees are booked only when "
        "an event carries them, and events of API version 2025-03-31 or later wait for it.",
    )
    xero_stripe_account_code = fields.Char(
        "Stripe Clearing Account Code",
        help="Code of the Xero bank account Stripe payments and fees are recorded on (its AccountID when it has "
        "no code). Empty: the bank account named “Stripe”. Created in Xero (as a bank account) when it does not "
        "exist there.",
    )
    xero_gocardless_account_code = fields.Char(
        "GoCardless Clearing Account Code",
        help="Code of the Xero bank account GoCardless payments and fees are recorded on (its AccountID when it "
        "has no code). Empty: the bank account named “GoCardless”. Created in Xero (as a bank account) when it "
        "does not exist there.",
    )
    xero_payout_account_code = fields.Char(
        "Payout Bank Account Code",
        help="Code of the Xero bank account Stripe and GoCardless pay out to (your real bank account; its AccountID "
        "when it has no code): each payout becomes a transfer from the clearing account to it. Empty: payouts are "
        "not recorded.",
    )
    xero_payment_fee_account_code = fields.Char(
        "Payment Fees Account Code",
        help="Xero expense account of Stripe's and GoCardless' fees (e.g. 404 Bank Fees).",
    )
    xero_payment_tax_type = fields.Char(
        "Xero Tax Type of Invoices Created for Payments",
        help="Xero tax type of the invoices (and refunds' credit notes) the connector creates for Stripe and "
        "GoCardless payments that have no Odoo document. Their amounts are what the customer paid, so they are "
        "sent tax-inclusive. Empty: no tax (a payment Stripe charged tax on then waits for this setting).",
    )
    xero_gocardless_record_on = fields.Selection(
        [("confirmed", "Confirmed (collected)"), ("paid_out", "Paid out (in the payout)")],
        "Record GoCardless Payments When", default="paid_out", required=True,
        help="A confirmed GoCardless payment can still fail; once paid out it is in your bank.",
    )
    xero_payment_refunds = fields.Boolean(
        "Record Refunds in Xero", default=True,
        help="A Stripe or GoCardless refund becomes a Xero credit note and its refund payment.",
    )

    # Mapping from Xero's lists (issue 7): dropdowns over the stored codes above.
    xero_sales_account_id = fields.Many2one(
        "xero.account", "Default Xero Sales Account", compute="_compute_xero_defaults",
        inverse="_inverse_xero_sales_account_id", domain="[('company_id', '=', id), ('status', '=', 'ACTIVE')]",
        help="Xero account of sales lines whose product and product category have none.")
    xero_tax_rate_id = fields.Many2one(
        "xero.tax.rate", "Default Xero Tax Rate", compute="_compute_xero_defaults",
        inverse="_inverse_xero_tax_rate_id", domain="[('company_id', '=', id), ('status', '=', 'ACTIVE')]",
        help="Xero tax rate of taxed lines whose Odoo tax is not mapped. Lines without tax are sent as NONE.")
    xero_purchase_account_id = fields.Many2one(
        "xero.account", "Default Xero Purchase Account", compute="_compute_xero_defaults",
        inverse="_inverse_xero_purchase_account_id", domain="[('company_id', '=', id), ('status', '=', 'ACTIVE')]",
        help="Xero account (usually an expense account) of bill lines whose product and product category have none.")
    xero_purchase_tax_rate_id = fields.Many2one(
        "xero.tax.rate", "Default Xero Purchase Tax Rate", compute="_compute_xero_defaults",
        inverse="_inverse_xero_purchase_tax_rate_id", domain="[('company_id', '=', id), ('status', '=', 'ACTIVE')]",
        help="Xero tax rate of taxed bill lines whose Odoo tax is not mapped. Lines without tax are sent as NONE.")
    # The payments' accounts, chosen from Xero's chart (bank accounts, with or without a code; the fees: any
    # other account with a code).
    xero_stripe_account_id = _payment_account(
        "Stripe Clearing Account", CLEARING_ACCOUNT_DOMAIN,
        "Empty: the Xero bank account named “Stripe”, created when missing.")
    xero_gocardless_account_id = _payment_account(
        "GoCardless Clearing Account", CLEARING_ACCOUNT_DOMAIN,
        "Empty: the Xero bank account named “GoCardless”, created when missing.")
    xero_payout_account_id = _payment_account(
        "Payouts Arrive In", CLEARING_ACCOUNT_DOMAIN,
        "The Xero bank account Stripe and GoCardless pay out to: each payout is a transfer from the clearing "
        "account to it. Empty: payouts are not recorded.")
    xero_payment_fee_account_id = _payment_account(
        "Payment Fees Account", FEE_ACCOUNT_DOMAIN,
        "Xero expense account of Stripe's and GoCardless' fees (e.g. 404 Bank Fees).")
    xero_payment_tax_rate_id = fields.Many2one(
        "xero.tax.rate", "Tax Rate of Invoices Created for Payments", compute="_compute_xero_defaults",
        inverse="_inverse_xero_payment_tax_rate_id", domain="[('company_id', '=', id), ('status', '=', 'ACTIVE')]",
        help="Xero tax rate of the invoices the connector creates for payments with no Odoo document (amounts "
        "tax-inclusive: the invoice's total is what the customer paid). Empty: no tax.")
    xero_register_payments = fields.Boolean(
        "Register Xero Payments in Odoo",
        help="When Xero says an exported Odoo invoice is (part-)paid, register the payment in Odoo too.")
    xero_payment_journal_id = fields.Many2one(
        "account.journal", "Journal for Xero Payments", check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]")
    xero_lead_source_category_id = fields.Many2one(
        "xero.tracking.category", "Lead Source Tracking Category",
        domain="[('company_id', '=', id), ('status', '=', 'ACTIVE')]",
        help="Xero tracking category whose options follow the sources of sales orders; exported lines carry "
        "their order's source in it.")
    xero_lead_source_message = fields.Text("Lead Source Problem", readonly=True)
    xero_stock_align = fields.Boolean(
        "Align On-Hand Quantities with Xero",
        help="With Odoo's Inventory app: set the on-hand quantity of products tracked as inventory in Xero to "
        "Xero's quantity on hand (main warehouse).")

    @api.depends("xero_sales_account_code", "xero_tax_type", "xero_payment_tax_type", "xero_purchase_account_code",
                 "xero_purchase_tax_type")
    def _compute_xero_defaults(self):
        Rate = self.env["xero.tax.rate"]
        for company in self:
            conn = company._xero_connection()
            company.xero_sales_account_id = self.env["xero.account"]._xero_find(conn, company.xero_sales_account_code)
            company.xero_tax_rate_id = Rate._xero_find(conn, company.xero_tax_type)
            company.xero_purchase_account_id = self.env["xero.account"]._xero_find(
                conn, company.xero_purchase_account_code)
            company.xero_purchase_tax_rate_id = Rate._xero_find(conn, company.xero_purchase_tax_type)
            company.xero_payment_tax_rate_id = Rate._xero_find(conn, company.xero_payment_tax_type)

    @api.depends("xero_stripe_account_code", "xero_gocardless_account_code", "xero_payment_fee_account_code",
                 "xero_payout_account_code")
    def _compute_xero_payment_accounts(self):
        Account = self.env["xero.account"]
        for company in self:
            conn = company._xero_connection()
            for code_field, account_field in PAYMENT_ACCOUNT_FIELDS:
                company[account_field] = Account._xero_find(conn, company[code_field])

    def _inverse_xero_payment_accounts(self):
        for company in self:
            for code_field, account_field in PAYMENT_ACCOUNT_FIELDS:
                account = company[account_field].sudo()
                value = account.code or account.xero_id or False  # a bank account may have no code
                if value != (company[code_field] or False):
                    company[code_field] = value

    def _inverse_xero_sales_account_id(self):
        for company in self:
            company.xero_sales_account_code = company.xero_sales_account_id.sudo().code or False

    def _inverse_xero_tax_rate_id(self):
        for company in self:
            company.xero_tax_type = company.xero_tax_rate_id.sudo().xero_id or False

    def _inverse_xero_purchase_account_id(self):
        for company in self:
            company.xero_purchase_account_code = company.xero_purchase_account_id.sudo().code or False

    def _inverse_xero_purchase_tax_rate_id(self):
        for company in self:
            company.xero_purchase_tax_type = company.xero_purchase_tax_rate_id.sudo().xero_id or False

    def _xero_exports_bills(self):
        """The company sends vendor bills to Xero (it exports them when posted, or has sent one): its suppliers
        are imported from Xero and its bills' status is pulled."""
        self.ensure_one()
        return self.xero_auto_export_bills or bool(self.env["account.move"].sudo().search_count([
            ("company_id", "=", self.id), ("move_type", "in", ("in_invoice", "in_refund")),
            ("xero_invoice_id", "!=", False)], limit=1))

    def _inverse_xero_payment_tax_rate_id(self):
        for company in self:
            company.xero_payment_tax_type = company.xero_payment_tax_rate_id.sudo().xero_id or False

    @api.model_create_multi
    def create(self, vals_list):
        check_owned_fields(self.browse(), vals_list, OWNED_FIELDS)
        if any(vals.get(field) for vals in vals_list for field in SECRET_FIELDS.values()):
            self.env.registry.clear_cache()  # _xero_webhook_secrets
        return super().create(vals_list)

    def write(self, vals):
        check_owned_fields(self, [vals], OWNED_FIELDS)
        if {"active", *SECRET_FIELDS.values()} & set(vals):
            self.env.registry.clear_cache()  # _xero_webhook_secrets
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _xero_webhook_secrets
        return super().unlink()

    @api.model
    @tools.ormcache("provider")
    def _xero_webhook_secrets(self, provider):
        """((company id, secret), …) of the active companies with a webhook secret for ``provider``, by id: read
        once per worker, not once per delivery (a webhook's answer is a few queries; this was one of them).
        Cleared when a secret is set or changed, a company archived, created with a secret or deleted; Odoo
        tells the other workers (registry signaling)."""
        field = SECRET_FIELDS[provider]
        companies = self.sudo().search_fetch([(field, "!=", False)], [field], order="id")
        return tuple((company.id, company[field]) for company in companies)

    def _xero_connection(self):
        """The company's Xero connection (an empty recordset when it never connected). Searched once per
        transaction (queuing a thousand jobs asks a thousand times); see ``xero.connection.create``."""
        self.ensure_one()
        known = self.env.cr.cache.setdefault(CONNECTION_CACHE, {})
        if self.id not in known:
            known[self.id] = self.env["xero.connection"].sudo().search([("company_id", "=", self.id)], limit=1).id
        return self.env["xero.connection"].sudo().browse(known[self.id])
