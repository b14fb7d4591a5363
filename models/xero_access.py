"""Who may do what through the connector: the checks every public entry point makes before it acts.

Anything reachable over RPC (public methods, ``create``, ``write``, ``copy``, import) is an attack surface,
and the context an RPC caller sends is theirs to choose: a context key is never a guard. Only
``self.env.su`` (the connector's own code: the sender, the pulls, the crons) is out of an RPC caller's reach.

- :func:`check_owned_fields` keeps the fields that point at Xero (ids, numbers, statuses, amounts mirrored
  from Xero, sync state) for the connector alone: anyone else gets an AccessError naming the field.
- :func:`check_admin_fields` keeps the mappings to Xero's lists (accounts, tax rates) for Xero
  administrators.
- :func:`checked` is what a public method calls first: the caller's group, their access to the records
  (Odoo's access rights and record rules, hence the companies they may use), then ``sudo()``.
"""

from odoo.exceptions import AccessError

USER = "xero_connector.group_xero_user"
MANAGER = "xero_connector.group_xero_manager"
SYSTEM = "base.group_system"


def _unchanged(records, name, value):
    """Writing ``value`` leaves ``name`` as it is on every record (a partner merge rewrites fields unchanged)."""
    field = records._fields[name]
    for record in records:
        current = record[name]
        if field.type in ("many2many", "one2many"):  # commands: only "nothing, and still nothing" is unchanged
            if current or value:
                return False
        elif field.type == "many2one":
            if current.id != (value.id if isinstance(value, type(current)) else value or False):
                return False
        elif (current or False) != (value or False):
            return False
    return True


def _field_label(records, name):
    field = records._fields[name]
    return f"{field._description_string(records.env)} ({records._name}.{name})"


def _first_change(records, vals_list, names):
    """The first of ``names`` that ``vals_list`` would change: given a value on a create, another value on a
    write. ``records``: the records written, or an empty recordset for a create (``self.browse()``: ``copy``
    calls ``create`` on the record it copies, whose own values must not count as "unchanged")."""
    for vals in vals_list:
        for name in sorted(set(names).intersection(vals)):
            if (records and not _unchanged(records, name, vals[name])) or (not records and vals[name]):
                return name
    return None


def check_owned_fields(records, vals_list, owned):
    """Refuse, unless the connector itself (superuser) writes, any change to the ``owned`` fields."""
    env = records.env
    name = None if env.su else _first_change(records, vals_list, owned)
    if name:
        raise AccessError(env._(
            "%(field)s is written by the Xero connector only: it points at Xero (or mirrors it), and setting "
            "it by hand could make the connector change another document in Xero. Nothing was changed.",
            field=_field_label(records, name)))


def check_admin_fields(records, vals_list, admin_fields):
    """The mappings to Xero's lists (which Xero account or tax rate a product or tax books to): Xero
    administrators only (and the connector itself)."""
    env = records.env
    name = None if env.su or env.user.has_group(MANAGER) else _first_change(records, vals_list, admin_fields)
    if name:
        raise AccessError(env._(
            "Only Xero administrators can change %(field)s: it decides where sales are booked in Xero.",
            field=_field_label(records, name)))


def connector_fields(records, vals_list):
    """The fields among ``vals_list``'s keys that this addon adds to the model (not Odoo's own). Fields a model
    takes from its parent (``_inherits``: a product variant's template) are checked by the parent's write."""
    names = {name for vals in vals_list for name in vals}
    return {name for name in names
            if (field := records._fields.get(name)) is not None and is_connector_field(field)}


# The connector and its bridge modules (xero_connector_purchase, with Odoo's Purchase app): their fields are the
# connector's.
def is_connector_field(field):
    """``field`` is added by the connector (or one of its bridges ``xero_connector_*``) alone, not inherited."""
    return bool(field._modules) and not field.inherited and all(
        module == "xero_connector" or module.startswith("xero_connector_") for module in field._modules)


def guard_fields(records, vals_list, admin_fields=frozenset(), exempt=frozenset()):
    """What ``create``/``write``/``copy``/import of a model the connector extends call first: the connector's
    fields are its own (:func:`check_owned_fields`), except ``admin_fields`` (Xero administrators) and
    ``exempt`` (checked by the model itself, such as the Xero Contact ID's checked paste)."""
    if records.env.su:
        return
    ours = connector_fields(records, vals_list)
    check_owned_fields(records, vals_list, ours - set(admin_fields) - set(exempt))
    check_admin_fields(records, vals_list, ours & set(admin_fields))


def check_group(env, group, message):
    """``message`` as an AccessError unless the caller is in ``group`` (or is the connector itself)."""
    if not env.su and not env.user.has_group(group):
        raise AccessError(message)


def checked(records, group, message, operation="read"):
    """``records`` as superuser, once the caller is in ``group``, has Odoo's ``operation`` right on every one
    of them (access rights and record rules: a company the caller may not use, another user's wizard row)
    and, for company-bound records, works in their companies."""
    env = records.env
    if env.su:
        return records
    check_group(env, group, message)
    records.check_access(operation)
    if "company_id" in records._fields:
        allowed = set(env.user.company_ids.ids)
        foreign = records.sudo().filtered(lambda r: r.company_id and r.company_id.id not in allowed)
        if foreign:
            raise AccessError(env._(
                "%(records)s belong to %(companies)s, a company you do not work in.",
                records=", ".join(foreign.mapped("display_name")), companies=", ".join(foreign.company_id.mapped("name"))))
    return records.sudo()
