"""Signed outbound webhooks: registrations, deliveries (at least once, retried for a day) and their dispatcher."""
