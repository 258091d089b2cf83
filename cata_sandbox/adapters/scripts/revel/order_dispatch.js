/**
 * @provider revel
 * @topic order_dispatch
 * @version 1.0.0
 *
 * A Cata order as one Revel Weborder cart submit: POST {baseUrl}/specialresources/cart/submit, sent as
 * text/plain (Revel answers "Unhandled error" to application/json). Ported from the Python
 * RevelTransformer. Prices are JS numbers here (the engine's JSON.parse): 5.50 goes out as 5.5.
 *
 * @price items[*].unitPrice items[*].price
 * @price items[*].modifiers[*].unitPrice items[*].modifieritems[*].modifier_price
 * @price items[*].comboItems[*].unitPrice items[*].products_sets[0].products[*].price
 * @price items[*].comboItems[*].modifiers[*].unitPrice items[*].products_sets[0].products[*].modifieritems[*].modifier_price
 * @price totalPay paymentInfo.amount
 * @price tip paymentInfo.tip
 */

var SUBMIT_PATH = "/specialresources/cart/submit";
var DEFAULT_PAYMENT_TYPE = 7;

function quote(text) {
  return JSON.stringify(String(text));
}

function has(object, key) {
  return object !== null && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key);
}

function productId(plu, name, settings, label, path) {
  var mapping = settings.productIdByPlu;
  if (mapping !== undefined && mapping !== null && has(mapping, plu)) {
    return mapping[plu];
  }
  var problem;
  if (/^[0-9]+$/.test(plu)) {
    var id = Number(plu);
    if (id >= 1 && id <= Number.MAX_SAFE_INTEGER) {
      return id;
    }
    if (id > Number.MAX_SAFE_INTEGER) {
      problem = "no Revel product id: the plu is over 2^53 - 1, which a JavaScript number cannot carry exactly";
    }
  }
  if (!problem) {
    problem = mapping === undefined || mapping === null
      ? "no Revel product id: the plu is not numeric and the outlet has no productIdByPlu"
      : "no Revel product id in productIdByPlu";
  }
  throw new Error(label + " (plu " + quote(plu) + ", " + quote(name) + "): " + problem + " - at `" + path + ".plu`");
}

function modifierItem(modifier, parentId, settings, label, path) {
  return {
    modifier: productId(modifier.plu, modifier.name, settings, label, path),
    product_id: parentId,
    modifier_price: modifier.unitPrice !== undefined && modifier.unitPrice !== null ? modifier.unitPrice : 0,
    qty: modifier.quantity !== undefined && modifier.quantity !== null ? modifier.quantity : 1,
    qty_type: 0,
    mod_type: 0
  };
}

function cartItem(item, settings, label, path) {
  var id = productId(item.plu, item.name, settings, label, path);
  var combo = item.comboItems || [];
  var modifiers = item.modifiers || [];
  var entry = { product: id, quantity: item.quantity, price: item.unitPrice };
  if (combo.length) {
    entry.is_combo = true;
  }
  entry.special_request = item.notes || "";
  entry.product_name_override = "";
  entry.product_sub_id = "";
  entry.has_upsell = false;
  entry.modifieritems = modifiers.map(function (modifier, index) {
    return modifierItem(modifier, id, settings, label + " modifier " + (index + 1), path + ".modifiers[" + index + "]");
  });
  entry.products_sets = null;
  if (combo.length) {
    entry.products_sets = [{
      id: id,
      name: item.name,
      products: combo.map(function (sub, index) {
        return cartItem(sub, settings, label + " combo item " + (index + 1), path + ".comboItems[" + index + "]");
      })
    }];
  }
  return entry;
}

// Revel's offset-less YYYY-MM-DDTHH:MM:SS: the wall time in the order's own offset.
function localTime(text, field) {
  var match = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})/.exec(String(text));
  if (!match) {
    throw new Error("order." + field + " is not an ISO 8601 date-time: " + quote(text));
  }
  return match[1] + "T" + match[2];
}

function diningOption(settings, method) {
  var ids = settings.diningOptionIds;
  var value = has(ids, method) ? ids[method] : undefined;
  if (typeof value !== "number" || !(value >= 0) || value % 1 !== 0) {
    throw new Error("outlet settings: diningOptionIds." + method + " is not set to a Revel dining option id");
  }
  return value;
}

function orderInfo(order, settings) {
  var info = {
    dining_option: diningOption(settings, order.deliveryMethod),
    asap: order.expectedPickupAt === undefined || order.expectedPickupAt === null
  };
  if (!info.asap) {
    info.pickup_time = localTime(order.expectedPickupAt, "expectedPickupAt");
  }
  info.created_date = localTime(order.createdAt, "createdAt");
  info.notes = order.notes || "";
  // The order reference is what staff call out and what ties Revel's order back to Cata's.
  info.call_name = order.orderRefNo;
  if (order.customer !== undefined && order.customer !== null) {
    var customer = order.customer;
    info.customer = {
      first_name: customer.firstName || "",
      last_name: customer.lastName || "",
      email: customer.email || "",
      phone: customer.phone || ""
    };
  }
  return info;
}

function required(value, name) {
  if (typeof value !== "string" || value === "") {
    throw new Error("revel: input." + name + " is not set (the provider connection or the outlet's credentials)");
  }
  return value;
}

function transform(input, context) {
  var order = input.payload;
  var settings = (input.outlet && input.outlet.settings) || {};
  var baseUrl = required(input.baseUrl, "baseUrl");
  var apiKey = required(input.apiKey, "apiKey");
  var apiSecret = required(input.apiSecret, "apiSecret");
  var establishmentId = settings.establishmentId;
  if (typeof establishmentId !== "number" || establishmentId < 1 || establishmentId % 1 !== 0) {
    throw new Error("outlet settings: establishmentId is not a Revel establishment id");
  }
  var paid = order.payment ? order.payment.transactionId : null;
  var cart = {
    skin: "weborder",
    establishmentId: establishmentId,
    customMenuInfo: { mode: 0, name: "" },
    items: order.items.map(function (item, index) {
      return cartItem(item, settings, "item " + (index + 1), "$.order.items[" + index + "]");
    }),
    orderInfo: orderInfo(order, settings),
    paymentInfo: {
      type: settings.paymentType !== undefined && settings.paymentType !== null ? settings.paymentType : DEFAULT_PAYMENT_TYPE,
      amount: order.totalPay,
      tip: order.tip !== undefined && order.tip !== null ? order.tip : 0,
      transaction_id: paid || order.orderRefNo
    }
  };
  return {
    method: "POST",
    url: baseUrl.replace(/\/+$/, "") + SUBMIT_PATH,
    headers: {
      "API-AUTHENTICATION": apiKey + ":" + apiSecret,
      "Accept": "application/json",
      "Content-Type": "text/plain"
    },
    body: cart
  };
}

// Reads a 2xx answer: {"status":"OK","data":{"orderId":N}} is success; status ERROR (or false) is not,
// with the message from error / error.message / error.details.message / errorMsg / message.
function interpret(response) {
  var body = response.body;
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { dispatched: true };
  }
  var status = body.status;
  if (status === false || (typeof status === "string" && status.toUpperCase() === "ERROR")) {
    var error = body.error;
    var candidates = [];
    if (typeof error === "string") candidates.push(error);
    if (error !== null && typeof error === "object") {
      candidates.push(error.message);
      if (error.details !== null && typeof error.details === "object") candidates.push(error.details.message);
    }
    candidates.push(body.errorMsg, body.message);
    for (var i = 0; i < candidates.length; i++) {
      if (typeof candidates[i] === "string" && candidates[i]) {
        return { dispatched: false, message: candidates[i] };
      }
    }
    return { dispatched: false, message: "no error message in the response body" };
  }
  var fromData = body.data !== null && typeof body.data === "object" && !Array.isArray(body.data)
    ? idFrom(body.data, ["orderId"]) : "";
  return { dispatched: true, externalOrderId: fromData || idFrom(body, ["externalOrderId", "orderId", "id"]) };
}

function idFrom(document, keys) {
  for (var i = 0; i < keys.length; i++) {
    var value = document[keys[i]];
    if (value === undefined || value === null || typeof value === "object" || typeof value === "boolean") continue;
    return String(value);
  }
  return "";
}
