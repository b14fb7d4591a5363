"""Tracking categories, their options, and tracking on lines (a mixin of ``resources.Writer``)."""
import copy

from .res_common import Invalid, NotFound
from .util import new_id


class TrackingMixin:
    def tracking(self, items, errs):
        out = []
        if not items:
            return out
        if not isinstance(items, list):
            errs.append("Tracking must be a list")
            return out
        for t in items:
            if not isinstance(t, dict):
                errs.append("Tracking must be a list of {Name, Option}")
                continue
            cat = None
            if t.get("TrackingCategoryID"):
                cat = self.org.get("TrackingCategories", t["TrackingCategoryID"])
            else:
                name = str(t.get("Name") or "").strip().lower()
                for c in self.org.records["TrackingCategories"].values():
                    if c["Name"].lower() == name and c["Status"] == "ACTIVE":
                        cat = c
                        break
            if cat is None or cat["Status"] != "ACTIVE":
                errs.append(f"The tracking category '{t.get('Name') or t.get('TrackingCategoryID')}' does not exist or is not active")
                continue
            opt = None
            for o in cat["Options"]:
                if o["Status"] != "ACTIVE":
                    continue
                if (t.get("TrackingOptionID") and o["TrackingOptionID"] == t["TrackingOptionID"]) or \
                        str(t.get("Option") or "").strip().lower() == o["Name"].lower():
                    opt = o
                    break
            if opt is None:
                errs.append(f"The tracking option '{t.get('Option') or t.get('TrackingOptionID')}' does not exist "
                            f"or is not active in tracking category '{cat['Name']}'")
                continue
            out.append({"TrackingCategoryID": cat["TrackingCategoryID"], "TrackingOptionID": opt["TrackingOptionID"],
                        "Name": cat["Name"], "Option": opt["Name"]})
        return out

    def _cats(self, statuses=("ACTIVE", "ARCHIVED")):
        return [c for c in self.org.records["TrackingCategories"].values() if c["Status"] in statuses]

    def write_tracking_category(self, el, method, path_id=None):
        errs = []
        existing = None
        key = path_id or el.get("TrackingCategoryID")
        if key:
            existing = self.org.get("TrackingCategories", key)
            if existing is None or existing["Status"] == "DELETED":
                raise NotFound(key)
        name = str(el.get("Name") if el.get("Name") is not None else (existing or {}).get("Name") or "").strip()
        status = str(el.get("Status") or (existing or {}).get("Status") or "ACTIVE").upper()
        if not name:
            errs.append("Tracking category name must be specified")
        elif len(name) > 100:
            errs.append("Tracking category name must not exceed 100 characters")
        for c in self._cats():
            if c["Name"].lower() == name.lower() and (existing is None or c["TrackingCategoryID"] != existing["TrackingCategoryID"]):
                errs.append(f"The tracking category name '{name}' is already in use")
        if status not in ("ACTIVE", "ARCHIVED"):
            errs.append(f"'{status}' is not a valid tracking category status")
        others = [c for c in self._cats() if existing is None or c["TrackingCategoryID"] != existing["TrackingCategoryID"]]
        if status == "ACTIVE" and (existing is None or existing["Status"] != "ACTIVE") and \
                sum(1 for c in others if c["Status"] == "ACTIVE") >= 2:
            errs.append("You can only have 2 active tracking categories")
        if existing is None and len(others) >= 4:
            errs.append("You can only have 4 tracking categories (active and archived)")
        if errs:
            raise Invalid(errs)
        rec = copy.deepcopy(existing) if existing else {"TrackingCategoryID": new_id(), "Options": []}
        rec["Name"], rec["Status"] = name, status
        options = el.get("Options")
        if existing is None and isinstance(options, list) and options:
            self._add_options(rec, options)
        return self._stamp("TrackingCategories", rec, existing is None)

    def _add_options(self, cat, options):
        errs = []
        names = {o["Name"].lower() for o in cat["Options"] if o["Status"] != "DELETED"}
        count = sum(1 for o in cat["Options"] if o["Status"] != "DELETED")
        added = []
        for o in options:
            n = str((o or {}).get("Name") or "").strip()
            if not n:
                errs.append("Tracking option name must be specified")
            elif len(n) > 100:
                errs.append("Tracking option name must not exceed 100 characters")
            elif n.lower() in names:
                errs.append(f"The tracking option name '{n}' is already in use in this tracking category")
            elif count >= self.option_limit:
                errs.append(f"A tracking category can have at most {self.option_limit} options")
            else:
                names.add(n.lower())
                count += 1
                added.append({"TrackingOptionID": new_id(), "Name": n, "Status": "ACTIVE",
                              "TrackingCategoryID": cat["TrackingCategoryID"]})
        if errs:
            raise Invalid(errs)
        cat["Options"].extend(added)
        return added

    def add_tracking_options(self, cat_id, options):
        cat = self.org.get("TrackingCategories", cat_id)
        if cat is None or cat["Status"] == "DELETED":
            raise NotFound(cat_id)
        cat = copy.deepcopy(cat)
        added = self._add_options(cat, options)
        self._stamp("TrackingCategories", cat, False)
        return added

    def update_tracking_option(self, cat_id, opt_id, el, delete=False):
        cat = self.org.get("TrackingCategories", cat_id)
        if cat is None or cat["Status"] == "DELETED":
            raise NotFound(cat_id)
        cat = copy.deepcopy(cat)
        opt = next((o for o in cat["Options"] if o["TrackingOptionID"] == opt_id and o["Status"] != "DELETED"), None)
        if opt is None:
            raise NotFound(opt_id)
        if delete:
            opt["Status"] = "DELETED"
        else:
            name = str(el.get("Name") or opt["Name"]).strip()
            if any(o["Name"].lower() == name.lower() and o is not opt and o["Status"] != "DELETED" for o in cat["Options"]):
                raise Invalid([f"The tracking option name '{name}' is already in use in this tracking category"])
            status = str(el.get("Status") or opt["Status"]).upper()
            if status not in ("ACTIVE", "ARCHIVED"):
                raise Invalid([f"'{status}' is not a valid tracking option status"])
            opt["Name"], opt["Status"] = name, status
        self._stamp("TrackingCategories", cat, False)
        return opt

    def delete_tracking_category(self, cat_id):
        cat = self.org.get("TrackingCategories", cat_id)
        if cat is None or cat["Status"] == "DELETED":
            raise NotFound(cat_id)
        cat = copy.deepcopy(cat)
        cat["Status"] = "DELETED"
        return self._stamp("TrackingCategories", cat, False)
