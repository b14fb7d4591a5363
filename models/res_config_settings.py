from odoo import api, fields, models
from odoo.exceptions import UserError

from .xero_access import SYSTEM, checked
from .xero_connection import DEFAULT_URLS

# Write-only secrets: settings field → (where it is kept: an ir.config_parameter or a res.company field, its key).
# The form never receives a stored value (default_get, onchange and read all leave these fields empty); it shows
# that one is set, and a value typed in replaces it when the settings are saved.
SECRETS = {
    "xero_client_secret": ("param", "xero_connector.client_secret"),
    "xero_webhook_key": ("param", "xero_connector.webhook_key"),
    "xero_stripe_webhook_secret": ("company", "xero_stripe_webhook_secret"),
    "xero_gocardless_webhook_secret": ("company", "xero_gocardless_webhook_secret"),
    "xero_stripe_api_key": ("company", "xero_stripe_api_key"),
    "xero_gocardless_access_token": ("company", "xero_gocardless_access_token"),
}


class ResConfigSettings(models.TransientModel):
    """Xero's settings app (Settings → Xero) and its compact block in General Settings → Integrations.

    A thin view: no value lives here. Each field is a system parameter (``config_parameter=``, app-wide), a
    write-only secret (SECRETS), a company field (``related="company_id.…"``, per company) or the company's
    connection (read-only). Fields are grouped below as the app's blocks group them.
    """

    _inherit = "res.config.settings"

    # --- Connection: the Xero app (system parameters, app-wide) --------------------------------------------------
    xero_client_id = fields.Char("Xero App Client ID", config_parameter="xero_connector.client_id")
    xero_client_secret = fields.Char("Xero App Client Secret", groups=SYSTEM)
    xero_client_secret_set = fields.Boolean(compute="_compute_xero_secrets_set")
    xero_webhook_key = fields.Char("Xero Webhook Signing Key", groups=SYSTEM)
    xero_webhook_key_set = fields.Boolean(compute="_compute_xero_secrets_set")
    xero_redirect_uri = fields.Char("Xero Redirect URI", compute="_compute_xero_urls")
    xero_webhook_url = fields.Char("Xero Webhook URL", compute="_compute_xero_urls")
    xero_show_advanced = fields.Boolean("Xero Advanced Settings")
    xero_login_url = fields.Char(
        "Xero Login URL", config_parameter="xero_connector.login_url", default=DEFAULT_URLS["login_url"]
    )
    xero_identity_url = fields.Char(
        "Xero Identity URL", config_parameter="xero_connector.identity_url", default=DEFAULT_URLS["identity_url"]
    )
    xero_api_url = fields.Char("Xero API URL", config_parameter="xero_connector.api_url", default=DEFAULT_URLS["api_url"])

    # --- Connection: the company's organisation (its xero.connection, read-only here) ----------------------------
    xero_connection_id = fields.Many2one("xero.connection", compute="_compute_xero_connection")
    xero_state = fields.Selection(related="xero_connection_id.state", string="Xero Status")
    xero_tenant_name = fields.Char(related="xero_connection_id.tenant_name", string="Xero Organisation")
    xero_last_error = fields.Text(related="xero_connection_id.last_error", string="Xero Last Error")
    xero_user_email = fields.Char(related="xero_connection_id.xero_user_email")
    xero_connected_on = fields.Datetime(related="xero_connection_id.connected_on")

    # --- Documents (res.company) ---------------------------------------------------------------------------------
    xero_auto_export = fields.Selection(related="company_id.xero_auto_export", readonly=False)
    xero_sale_order_target = fields.Selection(related="company_id.xero_sale_order_target", readonly=False)
    xero_invoice_status = fields.Selection(related="company_id.xero_invoice_status", readonly=False)
    xero_auto_export_invoices = fields.Boolean(related="company_id.xero_auto_export_invoices", readonly=False)
    xero_auto_export_bills = fields.Boolean(related="company_id.xero_auto_export_bills", readonly=False)

    # --- Mapping (res.company: Xero's codes, and dropdowns over Xero's lists that edit them) --------------------
    # The company fields' domains name the company as ``id``: here it is ``company_id``.
    xero_sales_account_code = fields.Char(related="company_id.xero_sales_account_code", readonly=False)
    xero_tax_type = fields.Char(related="company_id.xero_tax_type", readonly=False)
    xero_sales_account_id = fields.Many2one(
        related="company_id.xero_sales_account_id", readonly=False,
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]")
    xero_tax_rate_id = fields.Many2one(
        related="company_id.xero_tax_rate_id", readonly=False,
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]")
    xero_purchase_account_code = fields.Char(related="company_id.xero_purchase_account_code", readonly=False)
    xero_purchase_tax_type = fields.Char(related="company_id.xero_purchase_tax_type", readonly=False)
    xero_purchase_account_id = fields.Many2one(
        related="company_id.xero_purchase_account_id", readonly=False,
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]")
    xero_purchase_tax_rate_id = fields.Many2one(
        related="company_id.xero_purchase_tax_rate_id", readonly=False,
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]")
    xero_stock_align = fields.Boolean(related="company_id.xero_stock_align", readonly=False)
    xero_stock_installed = fields.Boolean(compute="_compute_xero_stock_installed")

    # --- Payments (res.company; the providers' secrets write-only) -----------------------------------------------
    xero_register_payments = fields.Boolean(related="company_id.xero_register_payments", readonly=False)
    xero_payment_journal_id = fields.Many2one(
        related="company_id.xero_payment_journal_id", readonly=False,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]")
    xero_stripe_webhook_secret = fields.Char("Stripe Signing Secret", groups=SYSTEM)
    xero_stripe_webhook_secret_set = fields.Boolean(compute="_compute_xero_secrets_set")
    xero_stripe_api_key = fields.Char("Stripe API Key", groups=SYSTEM)
    xero_stripe_api_key_set = fields.Boolean(compute="_compute_xero_secrets_set")
    xero_stripe_webhook_url = fields.Char("Stripe Webhook URL", compute="_compute_xero_payment_urls")
    xero_stripe_account_code = fields.Char(related="company_id.xero_stripe_account_code", readonly=False)
    xero_stripe_account_id = fields.Many2one(related="company_id.xero_stripe_account_id", readonly=False)
    xero_gocardless_webhook_secret = fields.Char("GoCardless Webhook Secret", groups=SYSTEM)
    xero_gocardless_webhook_secret_set = fields.Boolean(compute="_compute_xero_secrets_set")
    xero_gocardless_access_token = fields.Char("GoCardless Access Token", groups=SYSTEM)
    xero_gocardless_access_token_set = fields.Boolean(compute="_compute_xero_secrets_set")
    xero_gocardless_webhook_url = fields.Char("GoCardless Webhook URL", compute="_compute_xero_payment_urls")
    xero_gocardless_account_code = fields.Char(related="company_id.xero_gocardless_account_code", readonly=False)
    xero_gocardless_account_id = fields.Many2one(related="company_id.xero_gocardless_account_id", readonly=False)
    xero_gocardless_record_on = fields.Selection(related="company_id.xero_gocardless_record_on", readonly=False)
    xero_payout_account_id = fields.Many2one(related="company_id.xero_payout_account_id", readonly=False)
    xero_payment_fee_account_code = fields.Char(related="company_id.xero_payment_fee_account_code", readonly=False)
    xero_payment_fee_account_id = fields.Many2one(related="company_id.xero_payment_fee_account_id", readonly=False)
    xero_payment_tax_type = fields.Char(related="company_id.xero_payment_tax_type", readonly=False)
    xero_payment_tax_rate_id = fields.Many2one(
        related="company_id.xero_payment_tax_rate_id", readonly=False,
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]")
    xero_payment_refunds = fields.Boolean(related="company_id.xero_payment_refunds", readonly=False)

    # --- Lead Source (res.company) -------------------------------------------------------------------------------
    xero_lead_source_category_id = fields.Many2one(
        related="company_id.xero_lead_source_category_id", readonly=False,
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]")
    xero_lead_source_message = fields.Text(related="company_id.xero_lead_source_message")
    xero_defaults_note = fields.Text(related="company_id.xero_defaults_note")

    @api.depends("company_id")
    def _compute_xero_secrets_set(self):
        icp = self.env["ir.config_parameter"].sudo()
        for settings in self:
            company = settings.company_id.sudo()
            for name, (kind, key) in SECRETS.items():
                settings[f"{name}_set"] = bool(icp.get_param(key) if kind == "param" else company[key])

    def set_values(self):
        """Store the secrets typed in (an empty field keeps the stored one), then forget them here."""
        checked(self, SYSTEM, self.env._("Only system administrators can change the settings."))
        super().set_values()
        typed = {name: value.strip() for name in SECRETS if (value := self[name]) and value.strip()}
        if not typed:
            return
        icp = self.env["ir.config_parameter"].sudo()
        for name, value in typed.items():
            kind, key = SECRETS[name]
            if kind == "param":
                icp.set_param(key, value)
            else:
                self.company_id.sudo()[key] = value
        self.sudo().write(dict.fromkeys(typed, False))

    @api.depends("company_id")
    def _compute_xero_connection(self):
        for settings in self:
            settings.xero_connection_id = settings.company_id._xero_connection()

    def _compute_xero_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for settings in self:
            settings.xero_redirect_uri = f"{base}/xero/oauth/callback"
            settings.xero_webhook_url = f"{base}/xero/webhook"

    def _compute_xero_payment_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for settings in self:
            settings.xero_stripe_webhook_url = f"{base}/xero/webhook/stripe"
            settings.xero_gocardless_webhook_url = f"{base}/xero/webhook/gocardless"

    def _xero_check_settings(self):
        """Settings rows are system administrators' (Odoo's access rights), and of their companies."""
        self.ensure_one()
        return checked(self, SYSTEM, self.env._("Only system administrators can use the Xero settings."))

    def action_xero_connect(self):
        """Start Xero's sign-in for the current company (the settings are saved first)."""
        self._xero_check_settings()
        self.env["xero.connection"]._xero_oauth()  # clear message now if the app is not configured
        return {
            "type": "ir.actions.act_url",
            "url": f"/xero/connect?company_id={self.company_id.id}",
            "target": "self",
        }

    def action_xero_disconnect(self):
        self._xero_check_settings()
        if not self.xero_connection_id:
            raise UserError(self.env._("%s is not connected to Xero.", self.company_id.name))
        self.xero_connection_id.action_xero_disconnect()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_xero_choose_organisation(self):
        self._xero_check_settings()
        return self.xero_connection_id.action_xero_open_picker()

    def _compute_xero_stock_installed(self):
        for settings in self:
            settings.xero_stock_installed = "stock.quant" in self.env

    def _xero_connection_or_fail(self):
        self._xero_check_settings()
        if not self.xero_connection_id:
            raise UserError(self.env._("%s is not connected to Xero.", self.company_id.name))
        return self.xero_connection_id

    def action_xero_refresh_lists(self):
        return self._xero_connection_or_fail().action_xero_refresh_lists()

    def action_xero_import_items(self):
        return self._xero_connection_or_fail().action_xero_import_items()

    def action_xero_setup_lead_source(self):
        return self._xero_connection_or_fail().action_xero_setup_lead_source()

    def action_xero_test_connection(self):
        return self._xero_connection_or_fail().action_xero_test_connection()
