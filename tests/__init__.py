from . import test_connection, test_security
