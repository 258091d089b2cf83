/**
 * @provider atlas
 * @topic order_dispatch
 * @version 1.1.0
 *
 * A Cata order as one Atlas Kitchen Admin API order: POST
 * {baseUrl}/admin/v1/outlets/{settings.outletId}/channels/{settings.channelId}/orders with X-Api-Key
 * (input.apiKey) and X-Merchant-Id (settings or config merchantId). Money is integer minor units
 * (cents for SGD, whole rupiah for IDR), converted exactly from the decimal text of each price (see
 * minorUnits); a price that is not a whole number of minor units is refused, never rounded. A Cata
 * modifier and a combo item are sub_items, modifiers first. fulfilment_type and the timeslot come from
 * deliveryMethod and expectedPickupAt (createdAt when ASAP) as wall time in the outlet's timezone.
 * external_order_id is the Cata order id (input.orderId, else orderRefNo). Atlas has no tip field: the
 * tip is inside total and the payment amount.
 *
 * @price items[*].unitPrice order_items[*].price_cents minor
 * @price items[*].(modifiers|comboItems)[*].unitPrice order_items[*].sub_items[*].price_cents minor
 * @price items[*].(modifiers|comboItems)[*].(modifiers|comboItems)[*].unitPrice order_items[*].sub_items[*].sub_items[*].price_cents minor
 * @price subtotal subtotal minor
 * @price tax tax minor
 * @price deliveryFee delivery_fee minor
 * @price serviceCharge surcharge minor
 * @price discount discount minor
 * @price totalPay total minor
 * @price totalPay order_payments[0].amount minor
 */

var FULFILMENT = { PICKUP: "pickup", DELIVERY: "delivery", DINE_IN: "dine_in" };
// ISO 4217 minor units; any other currency has 2.
var ZERO_PLACES = { IDR: true, VND: true, JPY: true, KRW: true };
// Fixed-offset zones of Cata's markets (none keeps daylight saving time); the engine has no Intl.
var ZONES = {
  "UTC": 0, "Etc/UTC": 0, "Asia/Singapore": 480, "Asia/Kuala_Lumpur": 480, "Asia/Manila": 480,
  "Asia/Hong_Kong": 480, "Asia/Makassar": 480, "Asia/Jakarta": 420, "Asia/Pontianak": 420,
  "Asia/Bangkok": 420, "Asia/Ho_Chi_Minh": 420, "Asia/Jayapura": 540, "Asia/Tokyo": 540, "Asia/Seoul": 540
};
var DAY = 86400;

function quote(text) {
  return JSON.stringify(String(text));
}

function has(object, key) {
  return object !== null && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key);
}

function present(value) {
  return value !== undefined && value !== null && value !== "";
}

// A price (a double, as JSON.parse gave it) in integer minor units, exactly. String(x) is the shortest
// decimal text that reads back as the same double, so for any price written with at most 15 significant
// digits it is the order's own text (less trailing zeros): the digits are shifted, never multiplied.
// Math.round(x * 100) is not used: 1.005 * 100 is 100.49999999999999, rounded silently to 100.
function minorUnits(value, places, path) {
  if (typeof value !== "number" || !isFinite(value)) {
    throw new Error("atlas: " + path + " is not a price: " + quote(value));
  }
  var parts = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/.exec(String(value));
  if (!parts) throw new Error("atlas: " + path + " is not a price: " + quote(value));
  var fraction = parts[3] || "";
  var digits = parts[2] + fraction;
  var shift = (parts[4] ? Number(parts[4]) : 0) - fraction.length + places;
  if (shift < 0) {
    if (/[^0]/.test(digits.slice(shift))) {
      throw new Error("atlas: " + path + " is " + String(value) + ", not a whole number of minor units (" +
        places + " decimal places); Atlas takes integer cents, and the script does not round");
    }
    digits = digits.slice(0, shift) || "0";
  } else {
    for (var i = 0; i < shift; i++) digits += "0";
  }
  var units = Number(digits);
  if (units > Number.MAX_SAFE_INTEGER) {
    throw new Error("atlas: " + path + " is " + String(value) + ": over 2^53 - 1 minor units, which a " +
      "JavaScript number cannot carry exactly");
  }
  return parts[1] === "-" && units !== 0 ? -units : units;
}

function itemId(line, settings, path) {
  var mapping = settings.itemIdByPlu;
  if (has(mapping, line.plu)) return mapping[line.plu];
  if (/^[0-9]+$/.test(line.plu) && Number(line.plu) >= 1 && Number(line.plu) <= Number.MAX_SAFE_INTEGER) {
    return Number(line.plu);
  }
  throw new Error("atlas: no Atlas item_id for plu " + quote(line.plu) + " (" + quote(line.name) +
    "): the plu is not a menu item id and the outlet's itemIdByPlu has none - at `" + path + ".plu`");
}

function orderItem(line, settings, places, path) {
  var entry = {
    item_id: itemId(line, settings, path),
    quantity: present(line.quantity) ? line.quantity : 1,
    price_cents: minorUnits(present(line.unitPrice) ? line.unitPrice : 0, places, path + ".unitPrice")
  };
  if (present(line.notes)) entry.notes = String(line.notes);
  var subs = [];
  (line.modifiers || []).forEach(function (modifier, index) {
    subs.push(orderItem(modifier, settings, places, path + ".modifiers[" + index + "]"));
  });
  (line.comboItems || []).forEach(function (combo, index) {
    subs.push(orderItem(combo, settings, places, path + ".comboItems[" + index + "]"));
  });
  entry.sub_items = subs;
  return entry;
}

function offsetOf(text, field) {
  if (text === "Z" || text === "z") return 0;
  var parts = /^([+-])([0-9]{2}):?([0-9]{2})$/.exec(text);
  if (!parts) throw new Error("atlas: " + field + " is not a UTC offset: " + quote(text));
  var minutes = Number(parts[2]) * 60 + Number(parts[3]);
  return parts[1] === "-" ? -minutes : minutes;
}

// The wall-clock date and seconds from midnight of an RFC 3339 time in the outlet's timezone
// (settings.timezone: a zone of ZONES or an offset such as +08:00; unset, the time's own offset).
function localMoment(text, field, timezone) {
  var parts = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})$/
    .exec(String(text));
  if (!parts) throw new Error("atlas: order." + field + " is not an RFC 3339 date-time: " + quote(text));
  var own = offsetOf(parts[7], "order." + field);
  var zone = own;
  if (present(timezone)) {
    zone = has(ZONES, timezone) ? ZONES[timezone] : /^([+-]|[Zz]$)/.test(String(timezone))
      ? offsetOf(String(timezone), "outlet settings: timezone") : null;
    if (zone === null) {
      throw new Error("atlas: outlet settings: timezone " + quote(timezone) + " is not a zone the script " +
        "knows (" + Object.keys(ZONES).join(", ") + ") nor an offset like +08:00");
    }
  }
  var utc = Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]), Number(parts[4]),
    Number(parts[5]), Number(parts[6] || 0)) - own * 60000;
  var wall = new Date(utc + zone * 60000);
  var pad = function (n) { return n < 10 ? "0" + n : String(n); };
  return {
    date: wall.getUTCFullYear() + "-" + pad(wall.getUTCMonth() + 1) + "-" + pad(wall.getUTCDate()),
    seconds: wall.getUTCHours() * 3600 + wall.getUTCMinutes() * 60 + wall.getUTCSeconds()
  };
}

function setting(input, settings, name) {
  if (present(settings[name])) return settings[name];
  var config = input.config || {};
  if (present(config[name])) return config[name];
  throw new Error("atlas: " + name + " is not set (outlet settings or the connection's config)");
}

function money(body, name, value, places, field) {
  if (present(value)) body[name] = minorUnits(value, places, "$.order." + field);
}

function contact(body, order) {
  var customer = order.customer || {};
  var name = [customer.firstName, customer.lastName].filter(present).join(" ");
  if (name) body.contact_name = name;
  if (present(customer.email)) body.contact_email = String(customer.email);
  if (present(customer.phone)) body.contact_number = String(customer.phone);
}

function address(body, order) {
  var where = order.deliveryAddress || {};
  var line1 = where.line1 || where.addressLine1 || where.street1 || where.street;
  if (order.deliveryMethod === "DELIVERY" && !present(line1)) {
    throw new Error("atlas: a delivery order needs deliveryAddress.line1 - at `$.order.deliveryAddress`");
  }
  if (present(line1)) body.address_line1 = String(line1);
  var line2 = where.line2 || where.addressLine2 || where.street2;
  if (present(line2)) body.address_line2 = String(line2);
  var postal = where.postalCode || where.zip;
  if (present(postal)) body.postal_code = String(postal);
}

function transform(input, context) {
  var order = input.payload;
  var settings = (input.outlet && input.outlet.settings) || {};
  if (typeof input.baseUrl !== "string" || input.baseUrl === "") {
    throw new Error("atlas: input.baseUrl is not set (the provider connection)");
  }
  if (typeof input.apiKey !== "string" || input.apiKey === "") {
    throw new Error("atlas: input.apiKey is not set (the provider connection or the outlet's credentials)");
  }
  var places = ZERO_PLACES[order.currency] === true ? 0 : 2;
  var fulfilment = FULFILMENT[order.deliveryMethod];
  if (!fulfilment) throw new Error("atlas: deliveryMethod " + quote(order.deliveryMethod) + " has no Atlas fulfilment_type");
  var asap = !present(order.expectedPickupAt);
  var when = asap ? localMoment(order.createdAt, "createdAt", settings.timezone)
    : localMoment(order.expectedPickupAt, "expectedPickupAt", settings.timezone);
  var slot = (present(settings.timeslotMinutes) ? settings.timeslotMinutes : 30) * 60;
  var reference = present(input.orderId) ? String(input.orderId) : String(order.orderRefNo);
  var body = {
    fulfilment_type: fulfilment,
    serving_date: when.date,
    timeslot_start: when.seconds,
    timeslot_end: Math.min(when.seconds + slot, DAY),
    timeslot_type: asap ? "asap" : "available_timeslots",
    external_order_id: reference,
    external_order_short_code: String(order.orderRefNo),
    source_label: String(settings.sourceLabel || "Cata")
  };
  if (present(settings.brandId)) body.brand_id = settings.brandId;
  contact(body, order);
  address(body, order);
  if (present(order.notes)) body.notes = String(order.notes);
  body.order_items = order.items.map(function (item, index) {
    return orderItem(item, settings, places, "$.order.items[" + index + "]");
  });
  money(body, "subtotal", order.subtotal, places, "subtotal");
  money(body, "tax", order.tax, places, "tax");
  money(body, "delivery_fee", order.deliveryFee, places, "deliveryFee");
  money(body, "surcharge", order.serviceCharge, places, "serviceCharge");
  money(body, "discount", order.discount, places, "discount");
  body.total = minorUnits(order.totalPay, places, "$.order.totalPay");
  var payment = order.payment || {};
  body.is_paid = true;
  body.order_payments = [{
    amount: body.total,
    capture_id: String(payment.transactionId || order.orderRefNo),
    capture_type: String(payment.method || "cata")
  }];
  var base = input.baseUrl.replace(/\/+$/, "");
  var outlet = encodeURIComponent(String(setting(input, settings, "outletId")));
  var channel = encodeURIComponent(String(setting(input, settings, "channelId")));
  return {
    method: "POST",
    url: base + "/admin/v1/outlets/" + outlet + "/channels/" + channel + "/orders",
    headers: {
      "X-Api-Key": input.apiKey,
      "X-Merchant-Id": String(setting(input, settings, "merchantId")),
      "Accept": "application/json",
      "Content-Type": "application/json"
    },
    body: body
  };
}

// No interpret(response): the engine reads Atlas's answer by the seed's rules. A 2xx is the order object,
// its id the externalOrderId; a 2xx whose body says status ERROR is a failure with its message (no false
// positive); any other status is "POS returned HTTP <code>: <Atlas's ApiError body>".
