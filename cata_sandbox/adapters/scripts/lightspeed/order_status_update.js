/** @provider lightspeed @topic order_status_update @version 1.0.0 */
// A Lightspeed order notification -> a Cata status update, matched by externalReference (the
// thirdPartyReference the dispatch script sent: the Cata order id). SUCCESS -> ACCEPTED with posOrderId
// (ikentooAccountIdentifier, else ikentooAccountId), FAILURE -> REJECTED with its reason,
// READY_FOR_PICKUP -> READY, IN_DELIVERY -> DRIVER_PICKED_UP, CLOSED -> COMPLETED, CANCELLED -> CANCELLED.
// Any other status (ABANDONED, DELIVERED, CHECK_WAS_UPDATED, a PAYMENT notification) is
// {skip: true, reason}. A body that cannot be read throws, so the service answers 5xx.

var STATUSES = {
  SUCCESS: "ACCEPTED",
  FAILURE: "REJECTED",
  READY_FOR_PICKUP: "READY",
  IN_DELIVERY: "DRIVER_PICKED_UP",
  CLOSED: "COMPLETED",
  CANCELLED: "CANCELLED"
};

function idText(value) {
  if (typeof value === "number" && value % 1 === 0) return String(value);
  if (typeof value === "string" && value.trim()) return value.trim();
  return "";
}

function transform(input, context) {
  var event = input.payload;
  if (typeof event === "string") {
    try { event = JSON.parse(event); } catch (e) { throw new Error("malformed Lightspeed notification: body is not JSON"); }
  }
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new Error("malformed Lightspeed notification: body is not a JSON object");
  }
  var reference = idText(event.thirdPartyReference);
  if (!reference) {
    throw new Error("malformed Lightspeed notification: missing or empty `thirdPartyReference`");
  }
  if (event.type !== undefined && event.type !== null && event.type !== "ORDER") {
    return { skip: true, reason: "not an order notification (type " + JSON.stringify(event.type) + ")",
      externalReference: reference };
  }
  if (typeof event.status !== "string" || !Object.prototype.hasOwnProperty.call(STATUSES, event.status)) {
    return { skip: true, reason: "Lightspeed status " + JSON.stringify(event.status) + " has no Cata status",
      externalReference: reference };
  }
  var status = STATUSES[event.status];
  var update = { status: status, externalReference: reference };
  if (status === "ACCEPTED") {
    var account = idText(event.ikentooAccountIdentifier) || idText(event.ikentooAccountId);
    if (!account) {
      throw new Error("malformed Lightspeed notification: SUCCESS without `ikentooAccountIdentifier` or `ikentooAccountId`");
    }
    update.posOrderId = account;
  }
  if (status === "REJECTED") {
    update.reason = typeof event.reason === "string" && event.reason ? event.reason : "Lightspeed sent FAILURE without a reason";
  }
  return update;
}
