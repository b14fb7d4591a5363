"""How a Xero account is named in a payload."""
import re

_XERO_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def account_ref(value: str | None) -> dict:
    """Xero's reference to an account stored as ``value``: its code, or, for a bank account without a
    code (Xero allows them), its AccountID."""
    value = (value or "").strip()
    return {"AccountID": value} if _XERO_ID.fullmatch(value) else {"Code": value}
