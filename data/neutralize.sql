-- A neutralized (copied) database must never talk to the production Xero organisation.
DELETE FROM xero_connection_token;
UPDATE xero_connection SET oauth_nonce = NULL, candidate_tenants = NULL, state = 'disconnected';
DELETE FROM ir_config_parameter
 WHERE key IN ('xero_connector.client_secret', 'xero_connector.webhook_key');
UPDATE res_company
   SET xero_stripe_webhook_secret = NULL, xero_stripe_api_key = NULL, xero_gocardless_webhook_secret = NULL,
       xero_gocardless_access_token = NULL;
