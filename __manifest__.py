{
    "name": "Xero Connector",
    "summary": "Run sales in Odoo, keep the books in Xero: contacts, sales orders, invoices and payments, "
    "sent once and kept in step",
    "version": "19.0.1.0.0",
    "category": "Accounting",
    "license": "LGPL-3",
    "author": "xero_connector maintainers",
    "website": "https://github.com/xero-connector/xero_connector",
    "application": True,
    "depends": ["base_setup", "mail", "contacts", "sale_management", "account"],
    "external_dependencies": {"python": ["requests", "xmltodict"]},
    "data": [
        "security/xero_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "views/xero_connection_views.xml",
        "wizard/xero_tenant_picker_views.xml",
        "views/res_config_settings_views.xml",
        "views/xero_menus.xml",
    ],
    "installable": True,
}
