"""The HTTP layer: controllers (one per resource path), auth, dependencies, hostile-input middleware, OpenAPI.

Only this package (and the assembly in ``app.py``) knows status codes; it calls the engine, the
fulfilment services and the store, and turns their domain errors into the envelope.
"""
