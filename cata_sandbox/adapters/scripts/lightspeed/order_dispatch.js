/**
 * @provider lightspeed
 * @topic order_dispatch
 * @version 1.0.0
 *
 * A Cata order as one Lightspeed K-Series "Order and Pay" order: POST {baseUrl}/o/op/1/order/toGo for
 * PICKUP and DELIVERY, /o/op/1/order/local for DINE_IN (tableNumber, clientCount), with the bearer token
 * of input.config.accessToken (refreshed by the service before the script runs, ADR 0006).
 * Money is decimal major units, sent as the order's numbers (doubles): every price is a customItemPrice,
 * so Lightspeed charges what the order says, not its catalogue price. A Cata modifier and a combo item
 * are sub-items (Lightspeed's way for product modifiers and combo picks), modifiers first; a modifier
 * whose plu the outlet maps in modifierIdByPlu is a production instruction (modifiers[].modifierId) and
 * must cost 0. payment.paymentAmount is totalPay (the total paid, tip included), tipAmount the tip.
 * thirdPartyReference is the Cata order id (input.orderId, else orderRefNo): a replay is Lightspeed's 409.
 *
 * @price items[*].unitPrice items[*].customItemPrice
 * @price items[*].(modifiers|comboItems)[*].unitPrice items[*].subItems[*].customItemPrice
 * @price items[*].(modifiers|comboItems)[*].(modifiers|comboItems)[*].unitPrice items[*].subItems[*].subItems[*].customItemPrice
 * @price totalPay payment.paymentAmount
 * @price tip payment.tipAmount
 */

var TO_GO_PATH = "/o/op/1/order/toGo";
var LOCAL_PATH = "/o/op/1/order/local";
var MAX_SKU = 25;
var MAX_REFERENCE = 48;
var MAX_NAME = 128;

function quote(text) {
  return JSON.stringify(String(text));
}

function has(object, key) {
  return object !== null && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key);
}

function present(value) {
  return value !== undefined && value !== null && value !== "";
}

function sku(line, settings, path) {
  var mapping = settings.skuByPlu;
  var found = has(mapping, line.plu) ? mapping[line.plu] : line.plu;
  if (typeof found !== "string" || found === "" || found.length > MAX_SKU) {
    throw new Error("lightspeed: no Lightspeed sku for plu " + quote(line.plu) + " (" + quote(line.name) +
      "): a sku is 1-" + MAX_SKU + " characters; map it in the outlet's skuByPlu - at `" + path + ".plu`");
  }
  return found;
}

// One Lightspeed line (an item, or a sub-item: a Cata modifier or combo item), recursively.
function orderLine(line, settings, path) {
  var entry = { sku: sku(line, settings, path), quantity: present(line.quantity) ? line.quantity : 1 };
  if (present(line.name)) entry.customItemName = String(line.name);
  entry.customItemPrice = present(line.unitPrice) ? line.unitPrice : 0;
  if (present(line.notes)) entry.notes = String(line.notes);
  var instructions = [];
  var subs = [];
  (line.modifiers || []).forEach(function (modifier, index) {
    var where = path + ".modifiers[" + index + "]";
    var ids = settings.modifierIdByPlu;
    if (has(ids, modifier.plu)) {
      if (present(modifier.unitPrice) && modifier.unitPrice !== 0) {
        throw new Error("lightspeed: modifier " + quote(modifier.name) + " is a production instruction " +
          "(modifierIdByPlu) but costs " + modifier.unitPrice + "; an instruction carries no price - at `" +
          where + ".unitPrice`");
      }
      instructions.push({ modifierId: String(ids[modifier.plu]) });
    } else {
      subs.push(orderLine(modifier, settings, where));
    }
  });
  (line.comboItems || []).forEach(function (combo, index) {
    subs.push(orderLine(combo, settings, path + ".comboItems[" + index + "]"));
  });
  if (instructions.length) entry.modifiers = instructions;
  if (subs.length) entry.subItems = subs;
  return entry;
}

function reference(input, order) {
  var value = present(input.orderId) ? String(input.orderId) : String(order.orderRefNo || "");
  if (value.length < 1 || value.length > MAX_REFERENCE) {
    throw new Error("lightspeed: the Cata order id " + quote(value) + " is not 1-" + MAX_REFERENCE +
      " characters, which Lightspeed's thirdPartyReference must be");
  }
  return value;
}

function customerInfo(order, settings) {
  var customer = order.customer || {};
  var first = present(customer.firstName) ? String(customer.firstName)
    : String(settings.defaultFirstName || "Cata customer");
  if (first.length > MAX_NAME) {
    throw new Error("lightspeed: customer.firstName is over " + MAX_NAME + " characters - at `$.order.customer.firstName`");
  }
  var info = { firstName: first };
  if (present(customer.lastName)) info.lastName = String(customer.lastName);
  if (present(customer.email)) info.email = String(customer.email);
  if (present(customer.phone)) {
    var phone = String(customer.phone).replace(/[\s().-]/g, "");
    if (/^\+[1-9][0-9]{1,14}$/.test(phone)) info.contactNumberAsE164 = phone;
  }
  return info;
}

function deliveryAddress(address) {
  var line1 = address.addressLine1 || address.line1 || address.street1 || address.street;
  var out = {};
  if (present(line1)) out.addressLine1 = String(line1);
  var line2 = address.addressLine2 || address.line2 || address.street2;
  if (present(line2)) out.addressLine2 = String(line2);
  var zip = address.zip || address.postalCode;
  if (present(zip)) out.zip = String(zip);
  if (present(address.city)) out.city = String(address.city);
  return out;
}

function setting(input, settings, name) {
  if (present(settings[name])) return settings[name];
  var config = input.config || {};
  if (present(config[name])) return config[name];
  throw new Error("lightspeed: " + name + " is not set (outlet settings or the connection's config)");
}

function businessLocation(value) {
  if (typeof value === "number" ? value % 1 === 0 && value >= 1 && value <= Number.MAX_SAFE_INTEGER
    : /^[0-9]{1,19}$/.test(String(value))) {
    return value;
  }
  throw new Error("lightspeed: businessLocationId " + quote(value) + " is not a Lightspeed business location id");
}

function transform(input, context) {
  var order = input.payload;
  var settings = (input.outlet && input.outlet.settings) || {};
  var token = input.config && input.config.accessToken;
  if (typeof token !== "string" || token === "") {
    throw new Error("lightspeed: input.config.accessToken is not set (the connection's OAuth token)");
  }
  if (typeof input.baseUrl !== "string" || input.baseUrl === "") {
    throw new Error("lightspeed: input.baseUrl is not set (the provider connection)");
  }
  var dineIn = order.deliveryMethod === "DINE_IN";
  var body = {
    businessLocationId: businessLocation(setting(input, settings, "businessLocationId")),
    thirdPartyReference: reference(input, order),
    endpointId: String(setting(input, settings, "endpointId")),
    customerInfo: customerInfo(order, settings)
  };
  if (present(order.notes)) body.orderNote = String(order.notes);
  var profiles = settings.accountProfileCodes;
  if (has(profiles, order.deliveryMethod)) body.accountProfileCode = String(profiles[order.deliveryMethod]);
  body.maxTimeToAttemptOrderDeliverToPos = present(settings.maxTimeToAttemptOrderDeliverToPos)
    ? settings.maxTimeToAttemptOrderDeliverToPos : 60000;
  if (present(order.expectedPickupAt)) body.orderCollectionTimeAsIso8601 = String(order.expectedPickupAt);
  if (order.deliveryMethod === "DELIVERY" && order.deliveryAddress) {
    body.deliveryAddress = deliveryAddress(order.deliveryAddress);
  }
  if (dineIn) {
    var table = present(order.tableNumber) ? order.tableNumber : settings.tableNumber;
    if (!present(table)) {
      throw new Error("lightspeed: a dine-in order needs a tableNumber (the order's or the outlet settings')");
    }
    body.tableNumber = table;
    var count = present(order.clientCount) ? order.clientCount : settings.clientCount;
    if (present(count)) body.clientCount = count;
  }
  body.items = order.items.map(function (item, index) {
    return orderLine(item, settings, "$.order.items[" + index + "]");
  });
  body.payment = {
    paymentMethod: String(settings.paymentMethod || "OOPAYMENT"),
    paymentAmount: order.totalPay,
    tipAmount: present(order.tip) ? order.tip : 0
  };
  return {
    method: "POST",
    url: input.baseUrl.replace(/\/+$/, "") + (dineIn ? LOCAL_PATH : TO_GO_PATH),
    headers: {
      "Authorization": "Bearer " + token,
      "Accept": "application/json",
      "Content-Type": "application/json"
    },
    body: body
  };
}

function text(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Reads Lightspeed's answer, whatever its status: 200 {"status":"ok"} only means accepted (the outcome
// comes later by notification, so there is no externalOrderId yet); 400 is Spring's validation body; 409
// a reused thirdPartyReference; 401 a refused token.
function interpret(response) {
  var status = response.statusCode;
  var body = response.body;
  var object = body !== null && typeof body === "object" && !Array.isArray(body) ? body : {};
  if (status >= 200 && status < 300) {
    if (object.status === "ok") return { dispatched: true };
    return { dispatched: false, message: "Lightspeed did not accept the order: " + text(body) };
  }
  if (status === 400 && Array.isArray(object.errors) && object.errors.length) {
    var first = object.errors[0] || {};
    var more = object.errors.length > 1 ? " (and " + (object.errors.length - 1) + " more)" : "";
    return { dispatched: false, message: first.field + ": " + first.defaultMessage + more };
  }
  if (status === 409) {
    return { dispatched: false, message: "duplicate order: " + (object.msg || text(body)) };
  }
  if (status === 401) {
    var why = object.error_description || object.error || text(body);
    return { dispatched: false, message: "Lightspeed refused the access token: " + why };
  }
  var said = object.message || object.msg || object.error || text(body);
  return { dispatched: false, message: "Lightspeed answered HTTP " + status + ": " + said };
}
