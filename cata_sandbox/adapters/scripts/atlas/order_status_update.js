/** @provider atlas @topic order_status_update @version 1.0.0 */
// An Atlas order event {event_type, event_at, payload: <order>} -> a Cata status update, matched by
// externalReference = payload.external_order_id (the Cata order id the dispatch script sent).
// order.created / order.confirmed -> ACCEPTED, order.dispatched -> DRIVER_PICKED_UP for a delivery
// order and READY for pickup and dine-in (the food has left the kitchen: for those the customer
// collects it), order.completed -> COMPLETED, order.cancelled -> CANCELLED; posOrderId is the Atlas
// order id, timestamp the event_at. order.updated, menu and stock events, and an order without an
// external_order_id (not Cata's) are {skip: true, reason}. A body that cannot be read throws (5xx).

var STATUSES = {
  "order.created": "ACCEPTED",
  "order.confirmed": "ACCEPTED",
  "order.dispatched": "DRIVER_PICKED_UP",
  "order.completed": "COMPLETED",
  "order.cancelled": "CANCELLED"
};

function idText(value) {
  if (typeof value === "number" && value % 1 === 0) return String(value);
  if (typeof value === "string" && value.trim()) return value.trim();
  return "";
}

function transform(input, context) {
  var event = input.payload;
  if (typeof event === "string") {
    try { event = JSON.parse(event); } catch (e) { throw new Error("malformed Atlas event: body is not JSON"); }
  }
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new Error("malformed Atlas event: body is not a JSON object");
  }
  var type = event.event_type;
  if (typeof type !== "string" || !type) throw new Error("malformed Atlas event: missing `event_type`");
  if (!Object.prototype.hasOwnProperty.call(STATUSES, type)) {
    return { skip: true, reason: "Atlas event " + JSON.stringify(type) + " has no Cata status" };
  }
  var order = event.payload;
  if (order === null || typeof order !== "object" || Array.isArray(order)) {
    throw new Error("malformed Atlas event: `payload` is not an order object");
  }
  var reference = idText(order.external_order_id);
  if (!reference) {
    return { skip: true, reason: "Atlas order " + idText(order.id) + " has no external_order_id (not a Cata order)" };
  }
  var id = idText(order.id);
  if (!id) throw new Error("malformed Atlas event: `payload.id` is not an order id");
  var status = STATUSES[type];
  if (type === "order.dispatched" && order.fulfilment_type !== "delivery") status = "READY";
  var update = { status: status, posOrderId: id, externalReference: reference };
  if (typeof event.event_at === "string" && event.event_at) update.timestamp = event.event_at;
  return update;
}
