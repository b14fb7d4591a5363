"""Xero's official Python SDK (xero-python) pointed at the sandbox: the ``sdk`` fixture (a plugin loaded by
conftest.py) and the helpers of the SDK contract tests (test_sdk_contract*.py).

The SDK deserializes every answer into its models: a date that is not ``/Date(ms+0000)/``, an enum spelt
otherwise than the spec, a string where a boolean belongs, a value over the spec's maxLength... raise
there. A test test that reads an answer through ``AccountingApi`` thus fails when the SDK cannot read it.
xero-python is a test dependency only (requirements-dev.txt): the connector never imports it.
"""
import datetime as dt
import time
from decimal import Decimal

import pytest
from sandbox_fixtures import SandboxClient

TOKEN_KEYS = ("access_token", "refresh_token", "id_token", "token_type", "expires_in", "scope")


class Sdk:
    """``.api`` (AccountingApi on the sandbox), ``.tenant``, ``.client`` (the SandboxClient), ``.token``."""

    def __init__(self, client):
        from xero_python.accounting import AccountingApi
        from xero_python.api_client import ApiClient, Configuration
        from xero_python.api_client.oauth2 import OAuth2Token

        self.client = client
        self.tenant = client.tenant
        t = client.tokens
        self.token = {k: t.get(k) for k in TOKEN_KEYS}
        self.token["scope"] = str(t.get("scope", "")).split()
        self.token["expires_at"] = time.time() + int(t.get("expires_in") or 1800)
        config = Configuration()  # a copy of the SDK's default: constructor arguments would be ignored
        config.oauth2_token = OAuth2Token(client_id=client.client_id, client_secret=client.client_secret)
        self.api_client = ApiClient(config, oauth2_token_getter=lambda: self.token,
                                    oauth2_token_saver=lambda token: self.token.update(token))
        self.api = AccountingApi(self.api_client, base_url=client.url + "/api.xro/2.0")

    def error(self, exc):
        """The SDK's ``Error`` model of a 400 answer (fails if the SDK cannot read it)."""
        return self.api_client.deserialize(exc.http_resp, "Error", self.api.get_model_finder())


@pytest.fixture
def sdk(sandbox_client):
    return Sdk(sandbox_client)


def sdk_for(handle):
    return Sdk(SandboxClient(handle).connect())


def line(amount=50, quantity=2, account="200", tax="OUTPUT", description="Widget", **kw):
    from xero_python.accounting.models import LineItem

    return LineItem(description=description, quantity=quantity, unit_amount=amount, account_code=account,
                    tax_type=tax, **kw)


def customer(sdk, name="Acme Ltd"):
    """A contact made through the SDK; returns its ContactID."""
    from xero_python.accounting.models import Contact, Contacts

    made = sdk.api.create_contacts(sdk.tenant, Contacts(contacts=[Contact(name=name)])).contacts[0]
    return made.contact_id


def is_date(value, expected=None):
    ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return ok and (expected is None or value == expected)


def is_datetime(value):
    return isinstance(value, dt.datetime) and value.tzinfo is not None


def money(value, expected):
    return isinstance(value, Decimal) and value == Decimal(str(expected))
