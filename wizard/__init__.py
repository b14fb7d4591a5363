from . import xero_dialog_mixin
from . import xero_tenant_picker
from . import xero_export_wizard
