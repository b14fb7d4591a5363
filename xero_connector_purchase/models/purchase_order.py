"""Purchase orders to Xero: the outbox handler of ``purchase.order`` (operations ``purchase_order`` and
``void_purchase_order`` of ``xero/resources.py``).

A confirmed purchase order goes to Xero as an approved ``PurchaseOrder`` numbered as in Odoo (on confirmation, with
the company's option, or by *Export Purchase Order to Xero*), is updated there as it changes (while Xero still
allows it: DRAFT, SUBMITTED, AUTHORISED) and deleted there (``Status: DELETED``) when it is cancelled in Odoo.
"""
from odoo import api, fields, models

from odoo.addons.xero_connector.exceptions import XeroBlocked

OPERATION = "purchase_order"
VOID = "void_purchase_order"
# Changing one of these on an exported purchase order queues an update in Xero.
XERO_TRACKED_FIELDS = {"order_line", "partner_id", "partner_ref", "date_order", "date_planned", "currency_id"}


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "xero.document.mixin"]

    xero_purchase_order_id = fields.Char("Xero Purchase Order ID", copy=False, readonly=True, index="btree_not_null")
    xero_purchase_order_number = fields.Char("Xero Purchase Order", copy=False, readonly=True)
    xero_purchase_order_status = fields.Char(copy=False, readonly=True)
    xero_purchase_order_url = fields.Char("Xero Purchase Order Link", compute="_compute_xero_purchase_order_url")

    @api.depends("xero_purchase_order_id")
    def _compute_xero_purchase_order_url(self):
        for order in self:
            order.xero_purchase_order_url = order._xero_deep_link("PurchaseOrders", order.xero_purchase_order_id)

    # ------------------------------------------------------------------------------------------
    # Actions and triggers
    # ------------------------------------------------------------------------------------------
    def action_xero_export(self):
        """Export to Xero (*Export Purchase Order to Xero*): one order is sent at once, several are queued; an
        order already in Xero opens the confirmation (update it, or send a new one) and sends nothing."""
        return self._xero_action_export(OPERATION)

    def button_approve(self, force=False):
        result = super().button_approve(force=force)
        self._xero_auto_export()
        return result

    def button_confirm(self):
        self._xero_uncancelled([OPERATION])
        return super().button_confirm()

    def button_draft(self):
        self._xero_uncancelled([OPERATION])
        return super().button_draft()

    def button_cancel(self):
        result = super().button_cancel()
        self.filtered(lambda o: o.state == "cancel")._xero_cancelled([OPERATION])
        return result

    def write(self, vals):
        result = super().write(vals)
        if self.env.su and self.env.context.get("xero_no_update"):  # the connector's own writes only
            return result
        if XERO_TRACKED_FIELDS.intersection(vals):
            self._xero_changed()
        return result

    def _xero_lines_changed(self):
        """A line of these orders changed (purchase.order.line)."""
        if not (self.env.su and self.env.context.get("xero_no_update")):
            self._xero_changed()

    def _xero_changed(self):
        """A purchase order changed: counted for one on its way to Xero (its change follows it), and an exported one
        is updated in Xero (or the chatter says why not)."""
        self._xero_bump_revision()
        self.filtered("xero_purchase_order_id")._xero_queue_update(OPERATION, "PurchaseOrders")

    def _xero_auto_export(self):
        """Confirmed (approved) orders of companies that export them: queued for Xero."""
        for order in self.filtered(lambda o: o.state == "purchase" and o.company_id.xero_auto_export_purchase_orders):
            conn = order.company_id._xero_connection()
            if not conn or conn.state not in ("connected", "reconnect") or order._xero_live_export(OPERATION):
                continue
            self.env["xero.job"]._xero_enqueue(order, OPERATION, force_new=bool(order.xero_purchase_order_id))

    # ------------------------------------------------------------------------------------------
    # xero.document.mixin
    # ------------------------------------------------------------------------------------------
    def _xero_customer(self):
        """The vendor's company: its Xero contact (created first when it has none, as customers are)."""
        return self.partner_id.commercial_partner_id

    def _xero_customer_contact_id(self, job):
        partner = self._xero_customer().with_company(job.company_id)
        if not partner.xero_contact_id:
            raise XeroBlocked(self.env._("%(doc)s: the vendor %(partner)s is not in Xero yet.", doc=self.display_name,
                                         partner=partner.display_name))
        return partner.xero_contact_id

    def _xero_exported(self, operation):
        return self.xero_purchase_order_id, self.xero_purchase_order_status

    def _xero_exported_operations(self):
        return [OPERATION]

    def _xero_exportable(self, operation):
        return self.state == "purchase"

    def _xero_not_exportable_reason(self, operation):
        return self.env._("%s is not a confirmed purchase order: only confirmed ones go to Xero.", self.display_name)

    def _xero_revivable(self):
        return self.state == "purchase"

    def _xero_revive(self, operation):
        """Deleted in Xero while it was confirmed again: a new Xero purchase order when the company exports them."""
        if self.company_id.xero_auto_export_purchase_orders:
            return super()._xero_revive(operation)
        self._message_log(body=self.env._("Deleted in Xero after the order was confirmed again: export it again to "
                                          "send a new Xero purchase order."))
        return None

    def _xero_tracking(self, job):
        """A purchase order has no Lead Source: its lines carry no tracking."""
        return None

    def _xero_job_dependencies(self, job):
        """The vendor goes to Xero first (a delete needs nothing)."""
        if job.operation == VOID:
            return self.env["xero.job"]
        return self._xero_customer_dependencies(job)

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: operation "purchase_order"
    # ------------------------------------------------------------------------------------------
    def _xero_job_payload(self, job):
        self.ensure_one()
        if not self._xero_exportable(OPERATION):
            raise XeroBlocked(self._xero_not_exportable_reason(OPERATION))
        contact_id = self._xero_customer_contact_id(job)
        # Xero's purchase orders take no line discount: the discounted unit price (4 decimals: unitdp=4)
        lines = [
            {"name": line.name, "quantity": line.product_qty, "taxes": line.tax_ids, "product": line.product_id,
             "price_unit": round(line.price_unit * (1 - (line.discount or 0.0) / 100.0), 4)}
            for line in self.order_line if not line.display_type
        ]
        # booked with the purchase mapping, as vendor bills: the product's, its category's, else the company's
        # default purchase account; each tax's Xero tax rate, else the default purchase tax rate
        items, amount_types = self._xero_line_items(job, lines, purchase=True)
        payload = {
            "Contact": {"ContactID": contact_id},
            "Date": self._xero_date(self._xero_local_date(self.date_approve or self.date_order)),
            "LineItems": items,
            "LineAmountTypes": amount_types,
            "PurchaseOrderNumber": self.name,
            "CurrencyCode": self.currency_id.name,
        }
        if self.date_planned:
            payload["DeliveryDate"] = self._xero_date(self._xero_local_date(self.date_planned))
        if self.partner_ref:
            payload["Reference"] = self.partner_ref
        if job.method == "POST" and not job.force_new:
            self._xero_check_ours(OPERATION, self.xero_purchase_order_id)
            payload["PurchaseOrderID"] = self.xero_purchase_order_id
        else:
            payload["Status"] = "AUTHORISED"
        return payload

    def _xero_job_done(self, job, result):
        data = result.data or {}
        vals = {"xero_purchase_order_id": data.get("PurchaseOrderID"),
                "xero_purchase_order_number": data.get("PurchaseOrderNumber"),
                "xero_purchase_order_status": data.get("Status")}
        self._xero_write(vals)
        self._xero_post_done(job, self.env._("Purchase order"), vals["xero_purchase_order_number"], vals[
            "xero_purchase_order_status"])
        self._xero_done_while_cancelled(OPERATION)
        if job.operation == OPERATION:
            self._xero_queue_attachments()  # its PDF, when the company attaches files (purchase_order_files.py)

    def _xero_job_lookup(self, job, client):
        """What a lost attempt may have created: Xero's purchase order of our number (Xero's numbers are unique,
        and ``GET PurchaseOrders/{PurchaseOrderNumber}`` reads one), for our vendor."""
        if job.method == "POST" and not job.force_new:
            return None  # an update sent twice is harmless
        contact_id = self._xero_customer().with_company(job.company_id).xero_contact_id
        if not contact_id:
            return None  # no contact: nothing was created
        found = client.get_by_id("PurchaseOrders", self.name)
        if not found or found.get("Status") == "DELETED" or (found.get("Contact") or {}).get("ContactID") != contact_id \
                or (job.force_new and found.get("PurchaseOrderID") == self.xero_purchase_order_id):
            return None
        return found

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: operation "void_purchase_order" (cancelled in Odoo: deleted in Xero)
    # ------------------------------------------------------------------------------------------
    def _xero_void_payload(self, job):
        xero_id, status = self.xero_purchase_order_id, self.xero_purchase_order_status
        if not xero_id:
            raise XeroBlocked(self.env._("%s is not in Xero: nothing to delete.", self.display_name))
        if status == "DELETED":
            raise XeroBlocked(self.env._("%s is already deleted in Xero.", self.display_name))
        self._xero_check_ours(OPERATION, xero_id)
        return {"PurchaseOrderID": xero_id, "Status": "DELETED"}

    def _xero_void_done(self, job, result):
        status = (result.data or {}).get("Status")
        self._xero_write({"xero_purchase_order_status": status})
        self._message_log(body=self.env._("Cancelled in Odoo: %(status)s in Xero.", status=(status or "").lower()))
        if self._xero_revivable():  # confirmed again while the delete was on its way
            self._xero_revive(OPERATION)

    def _xero_job_refused(self, job, messages):
        if job.operation == VOID:
            return self.env._(
                "%(record)s was cancelled in Odoo, but Xero did not delete its purchase order %(number)s: %(messages)s. "
                "Xero no longer deletes a purchase order once it is billed there. Nothing else changed: the order "
                "stays cancelled in Odoo; delete the bill and the purchase order in Xero if they should go, then "
                "cancel this line of the Sync Log.", record=self.display_name,
                number=self.xero_purchase_order_number or self.xero_purchase_order_id, messages=messages)
        return None
