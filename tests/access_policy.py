"""Who may do what through the connector: the one table that tests/test_access_matrix.py checks, over HTTP
JSON-RPC as each role, against every public method and every connector field the registry holds.

A public method or a field of a model Odoo ships that the addon adds later is not in here: the test fails
until this table says who may use it. The README's Security section is this table in words.
"""

# role → (groups, in company B only). Users are created by the test; their password is their login.
ROLES = {
    "public": None,
    "portal": ("base.group_portal", False),
    "internal": ("base.group_user", False),
    "sales": ("sales_team.group_sale_salesman_all_leads", False),
    "invoicing": ("account.group_account_invoice", False),
    "xero_user": ("xero_connector.group_xero_user,sales_team.group_sale_salesman_all_leads,"
                  "account.group_account_invoice", False),
    "xero_admin": ("xero_connector.group_xero_manager,sales_team.group_sale_salesman_all_leads,"
                   "account.group_account_invoice", False),
    "system": ("base.group_system,sales_team.group_sale_manager,account.group_account_manager", False),
    "other_admin": ("xero_connector.group_xero_manager,sales_team.group_sale_salesman_all_leads,"
                    "account.group_account_invoice", True),
}

# Who a level lets through (on company A's records: a role of company B is never among them).
LEVELS = {
    "user": {"xero_user", "xero_admin", "system"},
    "admin": {"xero_admin", "system"},
    "system": {"system"},
    "nobody": set(),
    # Odoo's own rights alone decide (the company's configuration: written by Settings administrators).
    "config": set(ROLES) - {"public", "other_admin"},
}

# Public methods, per model: a level, or "core" (an override of Odoo's own method: Odoo's rights decide, and
# create/write are checked field by field below).
METHODS = {
    "account.move": {"action_xero_export": "user", "button_cancel": "core", "create": "core", "write": "core"},
    "account.partial.reconcile": {"create": "core"},  # queues the credit note allocation (connector jobs only)
    "account.tax": {"create": "core", "write": "core"},
    "product.category": {"create": "core", "write": "core"},
    "product.product": {"action_xero_export_item": "user", "create": "core", "write": "core"},
    "product.template": {"action_xero_export_item": "user", "create": "core", "write": "core"},
    # unlink: clears the webhook secrets read once per worker (res.company._xero_webhook_secrets), then Odoo's own
    "res.company": {"create": "core", "write": "core", "unlink": "core"},
    "res.config.settings": dict.fromkeys((
        "action_xero_choose_organisation", "action_xero_connect", "action_xero_disconnect", "action_xero_import_items",
        "action_xero_refresh_lists", "action_xero_setup_lead_source", "action_xero_test_connection", "set_values"),
        "system"),
    "res.partner": {"action_xero_export": "user", "create": "core", "write": "core"},
    "sale.order": {"action_xero_export_sales_order": "user", "action_xero_export_invoice": "user",
                   "action_confirm": "core", "create": "core", "write": "core"},
    "sale.order.line": {"create": "core", "write": "core", "unlink": "core"},
    "utm.source": {"write": "core"},
    "xero.account": {"create": "core", "write": "core", "unlink": "core"},
    "xero.connection": dict.fromkeys((
        "action_xero_disconnect", "action_xero_import_items", "action_xero_open_list", "action_xero_open_picker",
        "action_xero_queue_customers", "action_xero_refresh_lists", "action_xero_setup_lead_source",
        "action_xero_test_connection"), "admin") | {"action_xero_overview_open": "user"}
    # create/write/unlink: drop the company → connection cache of the transaction (res.company._xero_connection)
    | {"create": "core", "write": "core", "unlink": "core"},
    "xero.event": {"action_xero_retry": "admin", "action_xero_ignore": "admin"},
    "xero.export.wizard": {"action_update": "user", "action_send_new": "user", "create": "core", "write": "core"},
    "xero.item": {"action_xero_import": "admin", "create": "core", "write": "core", "unlink": "core"},
    "xero.job": {"action_retry": "admin", "action_cancel": "admin", "action_open_record": "user",
                 "write": "core"},  # write: keeps the blocked-export activities (models/xero_job_activity.py)
    "xero.payment": {"action_open_jobs": "user"},
    "xero.payment.event": {"action_xero_retry": "admin", "action_xero_ignore": "admin"},
    "xero.tax.rate": {"create": "core", "write": "core", "unlink": "core"},
    "xero.tenant.picker": {"create": "core", "write": "core"},
    "xero.tenant.picker.line": {"action_choose": "admin", "create": "core", "write": "core"},
    "xero.tracking.category": {"create": "core", "write": "core", "unlink": "core"},
}

# Connector fields on the models Odoo ships, per model: level → field names. Every field of the addon's own
# models (xero.*) is "nobody": their rows are the connector's.
FIELDS = {
    "account.move": {"nobody": "xero_amount_due xero_amount_paid xero_emailed_invoice_id xero_invoice_id "
                               "xero_invoice_number xero_invoice_status xero_invoice_url xero_online_invoice_url "
                               "xero_paid xero_payment_registered xero_revision"},
    "account.tax": {"admin": "xero_tax_rate_id xero_tax_type"},
    "product.category": {"admin": "xero_purchase_account_code xero_purchase_account_id xero_sales_account_code "
                                  "xero_sales_account_id"},
    "product.product": {"nobody": "xero_is_tracked xero_item_id xero_item_message xero_quantity_on_hand"},
    "product.template": {"admin": "xero_purchase_account_code xero_purchase_account_id xero_sales_account_code "
                                  "xero_sales_account_id",
                         "nobody": "xero_is_tracked xero_item_id xero_item_message xero_quantity_on_hand"},
    "res.company": {
        "nobody": "xero_connection_ids xero_defaults_note xero_lead_source_message",
        "system": "xero_gocardless_access_token xero_gocardless_webhook_secret xero_stripe_api_key "
                  "xero_stripe_webhook_secret",
        "config": "xero_attach_files xero_attach_online xero_auto_export xero_auto_export_bills xero_auto_export_invoices "
                  "xero_email_invoices xero_online_invoice_link xero_gocardless_account_code xero_gocardless_account_id "
                  "xero_gocardless_record_on xero_invoice_status xero_lead_source_category_id "
                  "xero_payment_fee_account_code xero_payment_fee_account_id xero_payment_journal_id "
                  "xero_payment_refunds xero_payment_tax_rate_id xero_payment_tax_type xero_payout_account_code "
                  "xero_payout_account_id xero_purchase_account_code xero_purchase_account_id "
                  "xero_purchase_tax_rate_id xero_purchase_tax_type xero_register_payments xero_sale_order_target xero_sales_account_code "
                  "xero_sales_account_id xero_stock_align xero_stripe_account_code xero_stripe_account_id "
                  "xero_tax_rate_id xero_tax_type",
    },
    "res.partner": {"admin": "xero_contact_id",
                    "nobody": "xero_contact_url xero_currency_id xero_invoice_ids xero_last_error xero_last_sync "
                              "xero_revision xero_sales_to_date xero_sync_state"},
    "sale.order": {"nobody": "xero_amount_due xero_amount_paid xero_emailed_invoice_id xero_invoice_id "
                             "xero_invoice_number xero_invoice_status xero_invoice_url xero_online_invoice_url xero_paid "
                             "xero_quote_id xero_quote_number xero_quote_status xero_quote_url xero_revision"},
}
# A settings row is the Settings administrators' (Odoo's access rights): every connector field of it.
SETTINGS_LEVEL = "system"

# Secrets: (model, field) of a value stored by the test; no answer to any role but "system" may contain one,
# and the settings send none to anybody. ``param``: also kept as this ir.config_parameter.
SECRETS = {
    ("res.config.settings", "xero_client_secret"): "xero_connector.client_secret",
    ("res.config.settings", "xero_webhook_key"): "xero_connector.webhook_key",
    ("res.company", "xero_stripe_webhook_secret"): None,
    ("res.company", "xero_gocardless_webhook_secret"): None,
    ("res.company", "xero_stripe_api_key"): None,
    ("res.company", "xero_gocardless_access_token"): None,
    ("xero.connection", "access_token"): None,
    ("xero.connection", "refresh_token"): None,
    ("xero.connection", "oauth_nonce"): None,
}
