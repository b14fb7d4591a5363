from . import oauth
from . import webhook
from . import payments
