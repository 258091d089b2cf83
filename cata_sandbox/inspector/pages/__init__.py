"""The inspector's controllers, one module per page."""
