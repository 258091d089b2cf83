/** @provider revel @topic order_status_update @version 1.0.0 */
// Revel's order.finalized webhook -> a Cata status update. Revel only says an order is finished, so the
// one status is COMPLETED, posOrderId is the Revel order id as a string, timestamp is
// orderInfo.updated_date (else created_date; "" means "use server time"). An order not closed yet, or
// whose dining option is not one of the outlet's (not a Cata order), is {skip: true, reason}. A body
// that cannot be read throws, so the service answers 5xx and Revel retries. reference(input) names the
// order first ({posOrderId}: the Revel order id the dispatch answered), so that transform gets that
// order's outlet settings (its dining options).

function shown(value) {
  if (typeof value === "string") return value;
  if (value === undefined) return "null";
  return JSON.stringify(value);
}

function idText(value) {
  if (typeof value === "boolean") return "";
  return String(value).trim();
}

function orderId(value) {
  if (typeof value === "number" && value % 1 === 0) return String(value);
  if (typeof value === "string" && value.trim()) return value.trim();
  if (value === undefined || value === null || value === "") {
    throw new Error("malformed Revel webhook: missing or empty `orderInfo.id`");
  }
  throw new Error("malformed Revel webhook: `orderInfo.id` is not an order id: " + JSON.stringify(value));
}

function diningOptions(outlet) {
  var ids = outlet.settings ? outlet.settings.diningOptionIds : undefined;
  var found = {};
  var any = false;
  if (ids !== null && typeof ids === "object" && !Array.isArray(ids)) {
    for (var key in ids) {
      if (!Object.prototype.hasOwnProperty.call(ids, key)) continue;
      var value = ids[key];
      if (value === null || value === undefined || !idText(value)) continue;
      found[idText(value)] = true;
      any = true;
    }
  }
  if (!any) {
    throw new Error("outlet " + (outlet.id || outlet.refCode || "") +
      " has no Revel dining-option ids configured (settings.diningOptionIds)");
  }
  return found;
}

var ISO = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2}(:\d{2})?)?)?$/;

function moment(value) {
  if (typeof value !== "string" || !ISO.test(value.trim())) return "";
  return value.trim();
}

function finalized(input) {
  var event = input.payload;
  if (typeof event === "string") {
    try { event = JSON.parse(event); } catch (e) { throw new Error("malformed Revel webhook: body is not JSON"); }
  }
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new Error("malformed Revel webhook: body is not a JSON object");
  }
  var info = event.orderInfo;
  if (info === undefined || info === null) throw new Error("malformed Revel webhook: missing `orderInfo`");
  if (typeof info !== "object" || Array.isArray(info)) {
    throw new Error("malformed Revel webhook: `orderInfo` is not an object");
  }
  return info;
}

function reference(input, context) {
  return { posOrderId: orderId(finalized(input).id) };
}

function transform(input, context) {
  var info = finalized(input);
  var id = orderId(info.id);
  var options = diningOptions(input.outlet || {});
  if (info.closed !== true) {
    return { skip: true, reason: "order " + id + " not closed yet (closed=" + shown(info.closed) + ")" };
  }
  var dining = info.dining_option;
  if (dining === undefined || dining === null || !Object.prototype.hasOwnProperty.call(options, idText(dining))) {
    return { skip: true, reason: "non-CATA dining option " + shown(dining) };
  }
  return { status: "COMPLETED", posOrderId: id, timestamp: moment(info.updated_date) || moment(info.created_date) };
}
