"""The OpenAPI document partners work from: completion (``document``), examples, reference, webhooks, UI."""
