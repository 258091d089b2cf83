"""Receivers written for the tests: small real HTTP servers on loopback (and a Node one in ``node/``)."""
