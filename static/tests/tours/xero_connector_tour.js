import { registry } from "@web/core/registry";

// Driven by tests/test_tour.py, which runs a Xero sandbox and checks each step's outcome in Python.

// General Settings → Integrations holds a compact Xero block (status, connect, auto-export, a link to the Xero
// settings app); Xero's own settings app (Settings → Xero) holds the rest. Xero's sign-in comes back to the latter.
const XERO_APP = ".app_settings_block[data-key=xero_connector]";
const GENERAL_TAB = ".settings_tab .tab[data-key=general_settings]";

registry.category("web_tour.tours").add("xero_connector_connect", {
    url: "/odoo/action-base_setup.action_general_configuration",
    steps: () => [
        {
            content: "General Settings → Integrations: Xero is not connected yet",
            trigger: "#xero_connector button[name=action_xero_connect]:contains(Connect Xero Account)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "back from Xero's consent in Xero's settings app: connected",
            trigger: `${XERO_APP} #xero_connection .badge:contains(Connected)`,
        },
        {
            content: "back to General Settings",
            trigger: GENERAL_TAB,
            run: "click",
        },
        {
            content: "the Integrations block says connected too",
            trigger: "#xero_connector .badge:contains(Connected)",
        },
        {
            content: "auto-export when the order is confirmed",
            trigger: "#xero_auto_export input[data-value=on_confirm]",
            run: "click",
        },
        {
            content: "save the settings",
            trigger: ".o_form_button_save:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "General Settings again (the reload may open either app)",
            trigger: GENERAL_TAB,
            run: "click",
        },
        {
            content: "saved",
            trigger: "#xero_auto_export input[data-value=on_confirm]:checked",
        },
        {
            content: "the Integrations block leads to Xero's settings app",
            trigger: "#xero_connector a:contains(Xero Settings)",
            run: "click",
        },
        {
            content: "Xero's settings app, Documents block: the same auto-export",
            trigger: `${XERO_APP} #xero_documents_auto_export input[data-value=on_confirm]:checked`,
        },
    ],
});

registry.category("web_tour.tours").add("xero_connector_confirm_order", {
    steps: () => [
        {
            content: "confirm the quotation",
            trigger: ".o_form_view button[name=action_confirm]",
            run: "click",
        },
        {
            content: "it is a sales order now",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
    ],
});

registry.category("web_tour.tours").add("xero_connector_order_in_xero", {
    steps: () => [
        {
            content: "the chatter says the order went to Xero, with Xero's number",
            trigger: ".o-mail-Message-body:contains(sent to Xero) a[href*='go.xero.com']",
        },
    ],
});
