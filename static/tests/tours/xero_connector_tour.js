import { registry } from "@web/core/registry";

// Driven by tests/test_tour.py, which runs a Xero sandbox and checks each step's outcome in Python.

registry.category("web_tour.tours").add("xero_connector_connect", {
    url: "/odoo/action-base_setup.action_general_configuration",
    steps: () => [
        {
            content: "Xero is not connected yet",
            trigger: "#xero_connector button[name=action_xero_connect]:contains(Connect Xero Account)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "back from Xero's consent: connected",
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
            content: "saved",
            trigger: "#xero_auto_export input[data-value=on_confirm]:checked",
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
