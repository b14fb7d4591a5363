from . import xero_guarded_fields, xero_outbox, xero_currency_mixin
from . import res_company, res_config_settings, xero_connection, xero_connection_connect, xero_connection_token
from . import xero_rate_state
from . import res_partner, res_partner_from_xero, xero_contact, xero_invoice
from . import xero_event, xero_sync_cursor
from . import xero_job, xero_job_enqueue, xero_job_picker, xero_job_sender, xero_job_activity
from . import xero_document_mixin, xero_document_lifecycle, sale_order, sale_order_line, account_move
from . import account_move_bill
from . import account_move_allocation
from . import xero_payment, xero_payment_payload, xero_clearing_account
from . import xero_payment_event, xero_payment_booking, xero_payment_stripe, xero_payment_gocardless
from . import xero_list_mixin, xero_account, xero_tax_rate, xero_item, xero_tracking_category, xero_tracking_option
from . import xero_sales_account_mixin
from . import xero_connection_lists, xero_connection_defaults, account_tax, product_category, product_template, product_product, utm_source
from . import xero_tracking_outbox
from . import xero_overview, xero_run
from . import res_company_files, res_config_settings_files, xero_connection_scopes
from . import xero_attachment, xero_document_files, account_move_files, sale_order_files
