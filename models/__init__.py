from . import res_company
from . import xero_connection
from . import xero_rate_state
from . import res_config_settings
