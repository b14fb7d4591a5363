"""Plain-pytest tests of the ORM-free layers (xero/ and sandbox/): no Odoo needed.

The repository root is an Odoo addon whose __init__ imports Odoo, so these tests import the
library and the sandbox as top-level packages from the root instead.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
pytest_plugins = ["sandbox_fixtures", "sdk_contract"]
