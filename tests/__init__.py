from . import test_connection, test_security
from . import test_partner
from . import test_webhook, test_xero_pull
from . import test_export, test_export_actions, test_xero_rules, test_outbox_contract, test_connect_defaults
from . import test_outbox_wakeups, test_outbox_batch
from . import test_export_concurrency, test_export_bills, test_export_producer
from . import test_payments_common, test_payments_stripe, test_payments_stripe_invoices
from . import test_payments_clearing_accounts, test_payments_gocardless
from . import test_tour
from . import test_settings
from . import test_reliability
from . import test_xero_lists, test_xero_status, test_xero_items, test_xero_lead_source, test_xero_lead_source_outbox
from . import test_access_xero
from . import test_access_matrix
from . import test_spec_conformance
from . import test_i18n
from . import test_payloads, test_overview, test_amounts, test_blocked_activities, test_runs
from . import test_xero_files
from . import test_xero_pull_concurrency
from . import test_xero_cron_wake
