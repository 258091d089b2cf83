"""Outlet settings the shipped scripts read, checked when an outlet is mapped (``PUT .../outlet-providers``).

A provider with a Struct here gets its settings checked up front (a 400 naming the setting); any other
script provider takes any object, and its script reports what is missing at dispatch. Ids are capped at
2^53 - 1: the script reads the settings as JSON numbers (doubles), which carry no larger integer exactly.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = ["SETTINGS_TYPES", "RevelSettings"]

MAX_JS_INTEGER = 2**53 - 1
DEFAULT_PAYMENT_TYPE = 7

BaseUrl = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/?#@]+(/[^\s?#]*)?$")]
# Header-safe: no control characters (a CR/LF would split the header); the key cannot hold the colon.
# At least 8 characters: secrets are redacted from reasons and attempts by substitution, so a one-letter
# credential would blot that letter out of every message (Revel's own keys are far longer).
ApiKey = Annotated[str, msgspec.Meta(min_length=8, pattern=r"^[^\x00-\x1f\x7f:]+$")]
ApiSecret = Annotated[str, msgspec.Meta(min_length=8, pattern=r"^[^\x00-\x1f\x7f]+$")]
RevelId = Annotated[int, msgspec.Meta(ge=1, le=MAX_JS_INTEGER)]
DiningOptionId = Annotated[int, msgspec.Meta(ge=0, le=MAX_JS_INTEGER)]


class DiningOptionIds(msgspec.Struct, forbid_unknown_fields=True):
    """The outlet's Revel dining option for each Cata ``deliveryMethod``; all three are required."""

    PICKUP: DiningOptionId
    DELIVERY: DiningOptionId
    DINE_IN: DiningOptionId


class RevelSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Per-outlet settings of ``revel/order_dispatch.js``. ``apiKey`` and ``apiSecret`` are write-only."""

    baseUrl: BaseUrl
    apiKey: ApiKey
    apiSecret: ApiSecret
    establishmentId: RevelId
    diningOptionIds: DiningOptionIds
    paymentType: int = DEFAULT_PAYMENT_TYPE
    # Without it (or for a plu it does not list), an all-digits plu is the Revel product id.
    productIdByPlu: dict[str, RevelId] | None = None


SETTINGS_TYPES: dict[str, type[msgspec.Struct]] = {"revel": RevelSettings}
