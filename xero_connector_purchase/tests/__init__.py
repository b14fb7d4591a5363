from . import test_purchase_order
from . import test_access
from . import test_i18n
