"""The outbound network: the transport (aiohttp direct path, httpx fallback), destination policy, failures.

``policy`` decides which addresses the service may call; ``callback_url`` checks a callback URL's syntax
and applies that policy; ``failures`` names a transport failure in the service's own words.
"""
