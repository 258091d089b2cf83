"""cata-sandbox: a local simulator of the Cata order dispatch service."""

__version__ = "0.1.0"
