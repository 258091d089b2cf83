"""Fulfilment: the order status state machine, applying a status update, and inbound POS status webhooks."""
