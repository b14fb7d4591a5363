"""The Lead Source's writes to Xero, sent through the outbox (Sync Log lines): the handlers.

- ``tracking_category`` on the connection (``xero.connection``): ``PUT TrackingCategories`` creates the
  "Lead Source" category (there is no mirror row before Xero answers); on a category (``xero.tracking.category``):
  ``POST TrackingCategories/<id>`` reactivates an archived one.
- ``tracking_options`` on a category: ``PUT TrackingCategories/<id>/Options`` adds the options of the sources
  waiting for one (``xero_wanted_source_ids``), as many as Xero's option limit leaves room for, read from Xero
  just before; on an option (``xero.tracking.option``): ``POST .../Options/<option id>`` renames it after its
  renamed Odoo source.

What to queue is decided in ``xero_connection_lists.py`` (the set-up, the pull) and, for a document whose lines
carry the Lead Source, by its dependencies (:meth:`XeroTrackingCategory._xero_lead_source_dependencies`).
"""
from odoo import api, fields, models
from odoo.fields import Command

from ..exceptions import XeroAlreadyDone, XeroBlocked
from .xero_tracking_category import LEAD_SOURCE, TRACKING_OPTION_LIMIT


def _source_name(source):
    return (source.name or "").strip()[:100]


class XeroConnection(models.Model):
    _name = "xero.connection"
    _inherit = ["xero.connection", "xero.outbox.record"]

    def _xero_job_payload(self, job):
        self.ensure_one()
        return {"Name": LEAD_SOURCE}

    def _xero_job_done(self, job, result):
        Category = self.env["xero.tracking.category"].sudo().with_company(self.company_id)
        Category._xero_apply_tracking_categories(self, [result.data or {}])

    def _xero_job_lookup(self, job, client):
        """The category an attempt with an unknown outcome may have created: by its name."""
        for category in client.iter_records("TrackingCategories", params={"includeArchived": "true"}):
            if (category.get("Name") or "").strip().lower() == LEAD_SOURCE.lower() and \
                    category.get("Status") != "DELETED":
                return category
        return None

    def _xero_job_refused(self, job, messages):
        message = self.env._("Xero refused to create the tracking category %(name)s: %(messages)s",
                             name=LEAD_SOURCE, messages=messages)
        self.company_id.sudo().xero_lead_source_message = message
        return message


class XeroTrackingCategory(models.Model):
    _name = "xero.tracking.category"
    _inherit = ["xero.tracking.category", "xero.outbox.record"]

    xero_wanted_source_ids = fields.Many2many(
        "utm.source", string="Sources Waiting for an Option", readonly=True,
        help="Odoo sources whose option the next Tracking Options job adds to this category in Xero.")

    # ------------------------------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------------------------------
    def _xero_queue_options(self, renames, additions, rearm=True):
        """Queue the renames (``[(option, name)]``) and the additions (``[(source, name)]``) that fit under
        Xero's option limit. Returns (the open jobs, the sources left over the limit)."""
        self.ensure_one()
        Job = self.env["xero.job"].sudo()
        jobs = Job.browse()
        for option, _name in renames:
            jobs |= Job._xero_enqueue(option, "tracking_options", method="POST", company=self.company_id,
                                      rearm=rearm, resource=option._xero_resource())
        room = max(TRACKING_OPTION_LIMIT - self.option_count, 0)
        fits, over = additions[:room], additions[room:]
        if fits:
            self.sudo().write({"xero_wanted_source_ids": [Command.link(source.id) for source, _name in fits]})
            jobs |= Job._xero_enqueue(self, "tracking_options", company=self.company_id, rearm=rearm,
                                      resource=f"TrackingCategories/{self.xero_id}/Options")
        return jobs, self.env["utm.source"].union(*[source for source, _name in over])

    def _xero_over_limit_message(self, left_out):
        return self.env._(
            "Xero's tracking category %(category)s can hold at most %(limit)s options and has %(count)s: the "
            "Lead Source(s) %(sources)s could not be added. Archive or delete unused options in Xero, or use "
            "an existing source on these orders.", category=self.name, limit=TRACKING_OPTION_LIMIT,
            count=self.option_count, sources=", ".join(left_out.mapped("name")))

    @api.model
    def _xero_lead_source_dependencies(self, job, source, doc_name):
        """The jobs the option of ``source`` waits for (added, or renamed after its source) before a document
        whose lines carry it is sent; XeroBlocked when Xero's option limit leaves no room for it."""
        company = job.company_id
        category = company.sudo().xero_lead_source_category_id
        conn = job.connection_id or company._xero_connection()
        if not source or not category or category.status != "ACTIVE" or not conn:
            return self.env["xero.job"]
        renames, additions = conn.sudo()._xero_lead_source_plan(category, source)
        if not renames and not additions:
            return self.env["xero.job"]
        jobs, over = category._xero_queue_options(renames, additions, rearm=False)
        if over:
            message = category._xero_over_limit_message(over)
            company.sudo().xero_lead_source_message = message
            raise XeroBlocked(self.env._("%(doc)s: %(reason)s", doc=doc_name, reason=message))
        return jobs

    def _xero_wanted_plan(self, conn):
        """The additions still to make for the sources waiting (those found by name are linked on the way)."""
        return conn._xero_lead_source_plan(self, self.xero_wanted_source_ids)[1]

    def _xero_read_options(self, client):
        """Xero's options of this category now (someone may have added or renamed some there), into the mirror."""
        body = client.get(f"TrackingCategories/{self.xero_id}", params={"includeArchived": "true"})
        records = body.get("TrackingCategories") or []
        options = records[0].get("Options") or [] if records else []
        if records:
            self._xero_apply_options(options)
        return options

    # ------------------------------------------------------------------------------------------
    # Outbox handler
    # ------------------------------------------------------------------------------------------
    def _xero_job_payload(self, job):
        self.ensure_one()
        if job.operation == "tracking_category":
            return {"Name": self.name, "Status": "ACTIVE"}
        conn = job.connection_id.sudo()
        self._xero_read_options(conn._xero_client())
        additions = self._xero_wanted_plan(conn)
        fits = additions[:max(TRACKING_OPTION_LIMIT - self.option_count, 0)]
        if not fits:
            raise XeroAlreadyDone({})
        return {"Options": [{"Name": name} for _source, name in fits]}

    def _xero_job_done(self, job, result):
        data = result.data or {}
        if job.operation == "tracking_category":
            Category = self.env[self._name].sudo().with_company(self.company_id)
            Category._xero_apply_tracking_categories(job.connection_id.sudo(), [data])
            return
        self._xero_apply_options(result.elements or [data], complete=False)
        self._xero_wanted_plan(job.connection_id.sudo())  # the new options follow their sources
        linked = self.option_ids.filtered(lambda o: o.status != "DELETED").source_id
        self.sudo().write({"xero_wanted_source_ids": [Command.unlink(s.id) for s in
                                                      self.xero_wanted_source_ids & linked]})

    def _xero_job_lookup(self, job, client):
        """Reactivating again is harmless; options an attempt with an unknown outcome may have added: those of
        the waiting sources' names Xero now has."""
        if job.operation == "tracking_category":
            return None
        names = {_source_name(source).lower() for source in self.xero_wanted_source_ids}
        found = [o for o in self._xero_read_options(client)
                 if (o.get("Name") or "").lower() in names and o.get("Status") != "DELETED"]
        return found[0] if found else None  # all of them are in the mirror already

    def _xero_job_refused(self, job, messages):
        if job.operation == "tracking_category":
            message = self.env._("Xero refused to reactivate the tracking category %(name)s: %(messages)s",
                                 name=self.name, messages=messages)
        else:
            message = self.env._("Xero refused to add the Lead Source options of %(sources)s to %(category)s: "
                                 "%(messages)s", sources=", ".join(self.xero_wanted_source_ids.mapped("name")),
                                 category=self.name, messages=messages)
        self.company_id.sudo().xero_lead_source_message = message
        return message


class XeroTrackingOption(models.Model):
    _name = "xero.tracking.option"
    _inherit = ["xero.tracking.option", "xero.outbox.record"]

    def _xero_resource(self):
        return f"TrackingCategories/{self.category_id.xero_id}/Options/{self.xero_id}"

    def _xero_job_payload(self, job):
        """The option renamed after its source (nothing to send when it already has the source's name)."""
        self.ensure_one()
        name = _source_name(self.source_id)
        if not name or name == self.name:
            raise XeroAlreadyDone({"TrackingOptionID": self.xero_id, "Name": self.name, "Status": self.status})
        return {"Name": name}

    def _xero_job_done(self, job, result):
        self.category_id._xero_apply_options([result.data or {}], complete=False)

    def _xero_job_lookup(self, job, client):
        return None  # renaming again is harmless

    def _xero_job_refused(self, job, messages):
        message = self.env._("the option %(old)s could not be renamed %(new)s: %(messages)s", old=self.name,
                             new=_source_name(self.source_id), messages=messages)
        self.company_id.sudo().xero_lead_source_message = message
        return message
