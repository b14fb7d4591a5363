from odoo import api, fields, models


def _account_domain(model):
    return [("company_id", "=", model.env.company.id), ("status", "=", "ACTIVE")]


class XeroSalesAccountMixin(models.AbstractModel):
    """The Xero sales and purchase accounts chosen per company: each stored as Xero's account code
    (company-dependent), edited through a dropdown of the organisation's active accounts. Sales documents use
    the sales account, vendor bills (and purchase orders) the purchase account."""

    _name = "xero.sales.account.mixin"
    _inherit = ["xero.guarded.fields"]
    _description = "Xero Sales and Purchase Accounts"
    # Which Xero account a product or category books to: set by Xero administrators.
    _xero_admin_fields = frozenset({"xero_sales_account_code", "xero_sales_account_id",
                                    "xero_purchase_account_code", "xero_purchase_account_id"})

    xero_sales_account_code = fields.Char(company_dependent=True, copy=False)
    xero_sales_account_id = fields.Many2one(
        "xero.account", compute="_compute_xero_sales_account_id", inverse="_inverse_xero_sales_account_id",
        domain=_account_domain)
    xero_purchase_account_code = fields.Char(company_dependent=True, copy=False)
    xero_purchase_account_id = fields.Many2one(
        "xero.account", compute="_compute_xero_purchase_account_id", inverse="_inverse_xero_purchase_account_id",
        domain=_account_domain)

    @api.depends("xero_sales_account_code")
    @api.depends_context("company")
    def _compute_xero_sales_account_id(self):
        self.env["xero.account"]._xero_compute_dropdown(self, "xero_sales_account_code", "xero_sales_account_id")

    def _inverse_xero_sales_account_id(self):
        for record in self:
            record.xero_sales_account_code = record.xero_sales_account_id.sudo().code or False

    @api.depends("xero_purchase_account_code")
    @api.depends_context("company")
    def _compute_xero_purchase_account_id(self):
        self.env["xero.account"]._xero_compute_dropdown(self, "xero_purchase_account_code", "xero_purchase_account_id")

    def _inverse_xero_purchase_account_id(self):
        for record in self:
            record.xero_purchase_account_code = record.xero_purchase_account_id.sudo().code or False
