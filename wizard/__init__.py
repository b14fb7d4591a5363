from . import xero_tenant_picker
