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
            content: "the defaults chosen from the organisation's chart, said in one line in Mapping",
            trigger: `${XERO_APP} #xero_mapping .alert-info:contains(we chose 200 Sales)`,
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

registry.category("web_tour.tours").add("xero_connector_update_in_xero", {
    steps: () => [
        {
            content: "the order's Action menu",
            trigger: ".o_form_view .o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "export it to Xero again",
            trigger: ".o-dropdown-item:contains(Export Invoice to Xero)",
            run: "click",
        },
        {
            content: "already in Xero: asked, never a silent duplicate; update the Xero invoice",
            trigger: ".modal button[name=action_update]",
            run: "click",
        },
        {
            content: "Xero says it is updated",
            trigger: ".o_notification:contains(in Xero)",
        },
    ],
});

registry.category("web_tour.tours").add("xero_connector_overview", {
    url: "/odoo/action-xero_connector.xero_overview_action",
    steps: () => [
        {
            content: "the Overview: the company's card, with what was sent today",
            trigger: ".o_xero_overview .o_kanban_record:contains(sent):contains(blocked)",
        },
        {
            content: "one document is blocked: open them",
            trigger: ".o_xero_overview a[name=action_xero_overview_open]:contains(blocked)",
            run: "click",
        },
        {
            content: "the Sync Log, on the blocked export, with the cause",
            trigger: ".o_list_view .o_data_row:contains(Blocked):contains(999)",
        },
    ],
});

registry.category("web_tour.tours").add("xero_connector_retry", {
    url: "/odoo/action-xero_connector.xero_overview_action",
    steps: () => [
        {
            content: "open the blocked exports",
            trigger: ".o_xero_overview a[name=action_xero_overview_open]:contains(blocked)",
            run: "click",
        },
        {
            content: "select the blocked export",
            trigger: ".o_list_view .o_data_row:contains(Blocked) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "the mapping is fixed: retry it",
            trigger: ".o_list_view button[name=action_retry]",
            run: "click",
        },
        {
            content: "queued again: no longer among the blocked",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Blocked)))",
        },
    ],
});
