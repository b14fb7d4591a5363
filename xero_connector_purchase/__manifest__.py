{
    "name": "Xero Connector: Purchase Orders",
    "summary": "Confirmed purchase orders to Xero as PurchaseOrders: created, updated and deleted as the order changes",
    "version": "19.0.1.0.0",
    "category": "Accounting",
    "license": "LGPL-3",
    "author": "xero_connector maintainers",
    "website": "https://github.com/xero-connector/xero_connector",
    # A bridge, as Odoo's own sale_purchase: installed by itself when both are there, so that xero_connector
    # never depends on Purchase (a company that only sells does not install it).
    "depends": ["xero_connector", "purchase"],
    "data": [
        "data/xero_export_actions.xml",
        "views/purchase_order_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "auto_install": True,
}
