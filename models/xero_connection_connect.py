"""xero.connection: connecting (Xero's sign-in and its signed ``state``), choosing the organisation, disconnecting."""
import json
import logging
import time

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from ..xero import XeroError
from .xero_connection import _naive_utc

_logger = logging.getLogger(__name__)

# How long a signed OAuth `state` stays valid, and the longest one this Odoo makes (refused unread beyond).
STATE_TTL = 600
STATE_MAX_LENGTH = 1024


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # ------------------------------------------------------------------------------------------
    # OAuth state: signed, bound to user + company, short-lived and single-use
    # ------------------------------------------------------------------------------------------
    def _xero_make_state(self, user):
        """A signed ``state`` for Xero's sign-in. Idempotent while a sign-in may be in progress: the nonce of an
        unexpired one is reused (a second visit to /xero/connect, or one a foreign page triggers, cannot cancel
        it), a new one is drawn once it expired."""
        self.ensure_one()
        now = int(time.time())
        nonce, expires = self._xero_nonce()
        if not nonce or expires < now + 60:
            nonce = tools.misc.hmac(self.env(su=True), "xero-oauth-nonce", f"{time.time_ns()}-{id(self)}")[:32]
            expires = now + STATE_TTL
            self.sudo().oauth_nonce = f"{nonce}.{expires}"
        payload = {"c": self.company_id.id, "u": user.id, "n": nonce, "e": expires}
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        signature = tools.misc.hmac(self.env(su=True), "xero-oauth-state", body)
        return f"{body}.{signature}".encode().hex()

    def _xero_nonce(self):
        """(nonce, expiry epoch) of the sign-in in progress, or (False, 0)."""
        nonce, _sep, expires = (self.sudo().oauth_nonce or "").partition(".")
        return (nonce, int(expires)) if nonce and expires.isdigit() else (False, 0)

    @api.model
    def _xero_check_state(self, state, user):
        """Verify a `state` coming back from Xero; return the connection it names.

        The signature is checked before anything of it is parsed. Single-use: the nonce stored at
        /xero/connect is cleared here.
        """
        malformed = AccessError(self.env._("The answer from Xero is not for this Odoo (malformed state)."))
        if not state or len(state) > STATE_MAX_LENGTH:
            raise malformed
        try:
            body, signature = bytes.fromhex(state).decode().rsplit(".", 1)
        except (ValueError, UnicodeDecodeError):
            raise malformed from None
        expected = tools.misc.hmac(self.env(su=True), "xero-oauth-state", body)
        if not tools.misc.consteq(expected, signature):
            raise AccessError(self.env._("The answer from Xero is not for this Odoo (bad signature)."))
        try:
            payload = json.loads(body)
        except ValueError:
            raise malformed from None
        if not isinstance(payload, dict):
            raise malformed
        if payload.get("e", 0) < time.time():
            raise AccessError(self.env._("The Xero sign-in took too long and expired; connect again."))
        if payload.get("u") != user.id:
            raise AccessError(self.env._("This Xero sign-in was started by another user."))
        conn = self.sudo().search([("company_id", "=", payload.get("c"))], limit=1)
        nonce = conn._xero_nonce()[0] if conn else False
        if not nonce or not tools.misc.consteq(nonce, str(payload.get("n"))):
            raise AccessError(self.env._("This Xero sign-in was already used; connect again."))
        conn.oauth_nonce = False
        return conn

    # ------------------------------------------------------------------------------------------
    # Connect / choose / disconnect
    # ------------------------------------------------------------------------------------------
    def _xero_bind_tokens(self, tokens, tenants, user):
        """Store a consent's token set; bind at once when it connected one organisation."""
        self.ensure_one()
        if self.tenant_id and not self.bound_tenant_id:  # a connection from before bound_tenant_id existed
            self.sudo().bound_tenant_id = self.tenant_id
        claims = tokens.id_claims
        values = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_expires_at": _naive_utc(tokens.expires_at),
            "token_refreshed_at": fields.Datetime.now(),
            "auth_event_id": tokens.auth_event_id,
            "scopes": " ".join(tokens.scope),
            "xero_user_email": claims.get("email"),
            "xero_user_id": claims.get("xero_userid") or claims.get("sub"),
            "connected_by_id": user.id,
            "last_error": False,
        }
        if len(tenants) == 1:
            self._xero_switch_organisation(tenants[0])
            values.update(self._xero_tenant_values(tenants[0]))
            values.update(state="connected", connected_on=fields.Datetime.now(), candidate_tenants=False)
        else:
            values.update(
                state="choose",
                tenant_id=False,
                tenant_name=False,
                candidate_tenants=[
                    {k: t.get(k) for k in ("id", "tenantId", "tenantName", "tenantType")} for t in tenants
                ],
            )
        self.sudo().write(values)
        self._xero_forget_token()
        self._xero_close_reconnect_activities()
        if self.state == "connected":
            self._xero_after_connect()

    def _xero_switch_organisation(self, tenant):
        """About to bind ``tenant``. When the company's links belong to another organisation (the Demo
        Company tried first, say), they name contacts and documents that do not exist in this one: exports
        would be refused, customers matched to the other organisation's contacts, pulls skip what is older
        than the other's cursor. They are forgotten: the lists and mirrors read from Xero, the customers'
        Xero Contact IDs, the exported documents' Xero ids, the exports still queued. Nothing is changed
        in either organisation."""
        self.ensure_one()
        conn = self.sudo()
        previous = conn.bound_tenant_id or conn.tenant_id
        new = tenant.get("tenantId")
        if previous and previous != new:
            conn._xero_forget_organisation(tenant.get("tenantName") or new)
        conn.bound_tenant_id = new

    def _xero_forget_organisation(self, new_name):
        self.ensure_one()
        env, company = self.env(su=True), self.company_id
        old_name = self.tenant_name or self.env._("the previous organisation")
        for model in ("xero.contact", "xero.invoice", "xero.account", "xero.tax.rate", "xero.item",
                      "xero.tracking.category", "xero.sync.cursor"):
            env[model].with_context(active_test=False).search([("connection_id", "=", self.id)]).unlink()
        partners = env["res.partner"].with_company(company).with_context(active_test=False, xero_from_xero=True) \
            .search([("xero_contact_id", "!=", False)])
        partners.write({"xero_contact_id": False})
        # The company's default account and tax rate are codes of the other organisation's chart: chosen again
        # from this one's (models/xero_connection_defaults.py).
        company.write({"xero_sales_account_code": False, "xero_tax_type": False, "xero_purchase_account_code": False,
                       "xero_purchase_tax_type": False, "xero_defaults_note": False})
        cleared = 0
        for model, ids in (("sale.order", ("xero_quote_id", "xero_invoice_id")), ("account.move", ("xero_invoice_id",))):
            Model = env[model]
            domain = Domain("company_id", "=", company.id) & Domain.OR(Domain(f, "!=", False) for f in ids)
            documents = Model.search(domain)
            blank = {name: False for name in Model._fields if name.startswith("xero_") and Model._fields[name].store
                     and Model._fields[name].type in ("char", "boolean")}
            # (what Odoo registered of Xero's payments stays: it is Odoo's own bookkeeping)
            blank.update({name: 0.0 for name in Model._fields if name.startswith("xero_amount_")
                          and Model._fields[name].store})
            documents._xero_write(blank)  # the connector's own columns only
            cleared += len(documents)
        # Stripe and GoCardless payments recorded in the first organisation: their Xero ids and clearing account
        # are its own (retrying their events records them in the new one).
        payments = env["xero.payment"].search([("company_id", "=", company.id)])
        payments.write(dict.fromkeys((
            "clearing_account_id", "clearing_account_code", "xero_invoice_id", "xero_invoice_number",
            "xero_credit_note_id", "xero_credit_note_number", "xero_payment_id", "xero_fee_transaction_id",
            "xero_transfer_id", "reversed_xero_payment_id"), False))
        jobs = env["xero.job"].search([("company_id", "=", company.id),
                                       ("state", "in", ("pending", "retry", "blocked", "sending"))])
        jobs.write({"state": "cancelled", "next_try": False,
                    "error": self.env._("Not sent: the company is now connected to %s.", new_name)})
        self.message_post(body=self.env._(
            "Connected to %(new)s instead of %(old)s: the links to %(old)s were forgotten (%(partners)s customers' "
            "Xero Contact IDs, %(documents)s exported documents, %(payments)s Stripe/GoCardless payments, %(jobs)s "
            "queued exports, its lists). Export again (or retry the payment events) to send them to %(new)s.",
            new=new_name, old=old_name, partners=len(partners), documents=cleared, payments=len(payments),
            jobs=len(jobs)))

    @staticmethod
    def _xero_tenant_values(tenant):
        return {
            "tenant_id": tenant["tenantId"],
            "tenant_name": tenant.get("tenantName"),
            "tenant_type": tenant.get("tenantType"),
            "xero_connection_id": tenant.get("id"),
        }

    def _xero_choose_tenant(self, tenant_id):
        """Bind the organisation picked among a consent's several; release the others."""
        self.ensure_one()
        conn = self.sudo()
        candidates = conn.candidate_tenants or []
        chosen = next((t for t in candidates if t.get("tenantId") == tenant_id), None)
        if conn.state != "choose" or not chosen:
            raise UserError(self.env._("This organisation was not part of the Xero consent; connect again."))
        conn._xero_switch_organisation(chosen)
        conn.write(dict(self._xero_tenant_values(chosen), state="connected", connected_on=fields.Datetime.now(),
                        candidate_tenants=False))
        # Connections to organisations nobody picked would linger in Xero (and count against the
        # app's connection limit); organisations bound to another company stay connected.
        used = set(self.sudo().search([("id", "!=", conn.id), ("state", "=", "connected")]).mapped("tenant_id"))
        others = [t for t in candidates if t.get("tenantId") != tenant_id and t.get("tenantId") not in used]
        if others:
            try:
                oauth = self._xero_oauth()
                token = conn.access_token
                for tenant in others:
                    oauth.delete_connection(token, tenant["id"])
            except XeroError as exc:
                _logger.warning("Xero connection %s: could not release unpicked organisations: %s", conn.id, exc)
        conn.message_post(body=self.env._("Connected to the Xero organisation %s.", conn.tenant_name))
        conn._xero_after_connect()

    def action_xero_open_picker(self):
        self.ensure_one()
        conn = self._xero_checked()
        if conn.state != "choose":
            raise UserError(self.env._("There is no organisation to choose: connect Xero first."))
        return self.env["xero.tenant.picker"]._xero_open(conn)

    def action_xero_disconnect(self):
        """Disconnect the organisation in Xero, revoke the grant when nothing else uses it, forget tokens."""
        for conn in self._xero_checked(self.env._("Only Xero administrators can disconnect Xero.")):
            warning = False
            if conn.refresh_token:
                try:
                    oauth = self._xero_oauth()
                    token = conn._xero_access_token() if conn.state == "connected" else conn.access_token
                    if conn.xero_connection_id and conn.state == "connected":
                        oauth.delete_connection(token, conn.xero_connection_id)
                    # Revoking removes every organisation this Xero user connected to the app: only
                    # do it when no other company of this database relies on the same Xero user.
                    shared = self.sudo().search_count([
                        ("id", "!=", conn.id), ("state", "=", "connected"), ("xero_user_id", "=", conn.xero_user_id),
                    ])
                    if not shared:
                        oauth.revoke(conn.refresh_token)
                except (XeroError, UserError) as exc:
                    warning = str(exc)
            conn.write({
                "state": "disconnected", "access_token": False, "refresh_token": False, "token_expires_at": False,
                "xero_connection_id": False, "candidate_tenants": False,
                "last_error": warning and self.env._("Disconnected in Odoo; Xero said: %s", warning),
            })
            conn._xero_forget_token()
            conn.message_post(body=self.env._("Disconnected from Xero by %s.", self.env.user.name))
        return True
