"""The JavaScript of a warm adapter context: the ``context`` object, the lockdown, the per-call wrapper."""

from __future__ import annotations

# Evaluated once in each warm context (one per script version per worker), then the script is compiled
# as a factory and the realm is locked down: WeakRef and FinalizationRegistry removed, every intrinsic
# reachable from globalThis (and globalThis itself) deep-frozen. Each call then gets a fresh factory()
# instance and a fresh, frozen ``context`` bound to the call's token. The host functions are captured
# in a closure and their globals deleted. Names starting with __cata mark prelude frames, which error
# locations skip.
PRELUDE = r"""
globalThis.__cata_install = (function (host, hostLog, ErrorCtor, stringify, parse, isArray, StringCtor) {
  "use strict";
  var MAX_PAGES = 100;
  // A concatenated string can be a rope, which cannot cross to Python: slice() makes it flat.
  function flat(text) { return StringCtor(text).slice(0); }
  var MAX_BATCH = 20;
  function parseBody(text) {
    if (typeof text !== "string") return text;
    try { return parse(text); } catch (e) { return text; }
  }
  function encodeBody(body) {
    if (body === undefined || body === null) return null;
    if (typeof body === "string") return body;
    return stringify(body);
  }
  function checkHeaders(where, headers) {
    if (headers === undefined || headers === null) return {};
    if (typeof headers !== "object" || isArray(headers)) {
      throw new ErrorCtor("context.http." + where + ": headers must be an object of strings");
    }
    var out = {};
    for (var name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name)) out[name] = StringCtor(headers[name]);
    }
    return out;
  }
  function request(where, method, url, body, headers) {
    if (typeof url !== "string" || url === "") {
      throw new ErrorCtor("context.http." + where + ": url must be a non-empty string");
    }
    return {method: method, url: url, headers: checkHeaders(where, headers), body: encodeBody(body)};
  }
  function exchange(token, where, requests) {
    var answer = parse(host(token, flat(stringify(requests))));
    if (answer.error) throw new ErrorCtor("context.http." + where + ": " + answer.error);
    var out = [];
    for (var i = 0; i < answer.responses.length; i++) {
      var r = answer.responses[i];
      out.push({statusCode: r.statusCode, headers: r.headers, body: parseBody(r.body)});
    }
    return out;
  }
  function makeContext(token) {
  function one(where, req) { return exchange(token, where, [req])[0]; }
  function resolve(base, next) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(next)) return next;
    var origin = /^[a-z][a-z0-9+.-]*:\/\/[^\/?#]+/i.exec(base);
    return (origin ? origin[0] : "") + (next.charAt(0) === "/" ? "" : "/") + next;
  }
  var http = Object.freeze({
    get: function __cata_get(url, headers) { return one("get", request("get", "GET", url, null, headers)); },
    post: function __cata_post(url, body, headers) {
      return one("post", request("post", "POST", url, body, headers));
    },
    put: function __cata_put(url, body, headers) { return one("put", request("put", "PUT", url, body, headers)); },
    "delete": function __cata_delete(url, headers) {
      return one("delete", request("delete", "DELETE", url, null, headers));
    },
    getAll: function __cata_getAll(url, headers) {
      var items = [];
      for (var page = 0; page < MAX_PAGES; page++) {
        var r = one("getAll", request("getAll", "GET", url, null, headers));
        if (r.statusCode !== 200) throw new ErrorCtor("context.http.getAll: HTTP " + r.statusCode + " from " + url);
        var b = r.body;
        var found = isArray(b) ? b : (b && (b.results || b.objects || b.data)) || [];
        for (var i = 0; i < found.length; i++) items.push(found[i]);
        var next = b && !isArray(b) && (b.next || (b.meta && b.meta.next));
        if (!next) return items;
        url = resolve(url, StringCtor(next));
      }
      throw new ErrorCtor("context.http.getAll: more than " + MAX_PAGES + " pages from " + url);
    },
    getBatch: function __cata_getBatch(requests) {
      if (!isArray(requests)) throw new ErrorCtor("context.http.getBatch: requests must be an array");
      if (requests.length > MAX_BATCH) {
        throw new ErrorCtor("context.http.getBatch: at most " + MAX_BATCH + " requests, got " + requests.length);
      }
      if (requests.length === 0) return [];
      var list = [];
      for (var i = 0; i < requests.length; i++) {
        var q = requests[i];
        if (typeof q === "string") q = {url: q};
        if (!q || typeof q !== "object") throw new ErrorCtor("context.http.getBatch: request " + i + " is not an object");
        var method = StringCtor(q.method || "GET").toUpperCase();
        list.push(request("getBatch", method, q.url, q.body, q.headers));
      }
      return exchange(token, "getBatch", list);
    }
  });
  var context = Object.freeze({
    http: http,
    log: function __cata_log(message) {
      var text;
      try { text = typeof message === "string" ? message : stringify(message); } catch (e) { text = "[unprintable]"; }
      hostLog(token, flat(text));
    }
  });
  return context;
  }
  function describe(e) {
    try {
      if (e instanceof ErrorCtor) {
        return {error: true, name: StringCtor(e.name), message: StringCtor(e.message), stack: StringCtor(e.stack || "")};
      }
      var shown;
      try { shown = typeof e === "string" ? stringify(e) : stringify(e); } catch (x) { shown = undefined; }
      if (shown === undefined) shown = StringCtor(e);
      return {error: false, value: shown};
    } catch (x) {
      return {error: false, value: "[a value that cannot be shown]"};
    }
  }
  function lockdown() {
    delete globalThis.WeakRef;
    delete globalThis.FinalizationRegistry;
    // Error's two accessors keep their value in the realm, out of reach of freezing: make them constants.
    Object.defineProperty(Error, "prepareStackTrace", {value: undefined, writable: false, configurable: false});
    Object.defineProperty(Error, "stackTraceLimit", {value: Error.stackTraceLimit, writable: false, configurable: false});
    var seen = new Set();
    var queue = [
      globalThis,
      Object.getPrototypeOf(function* () {}),
      Object.getPrototypeOf(async function () {}),
      Object.getPrototypeOf(async function* () {}),
      Object.getPrototypeOf((function* () {})()),
      Object.getPrototypeOf([][Symbol.iterator]()),
      Object.getPrototypeOf(new Map()[Symbol.iterator]()),
      Object.getPrototypeOf(new Set()[Symbol.iterator]()),
      Object.getPrototypeOf(""[Symbol.iterator]()),
      Object.getPrototypeOf(/x/[Symbol.matchAll]("")),
      Object.getPrototypeOf(Int8Array)
    ];
    while (queue.length) {
      var o = queue.pop();
      if (o === null || o === undefined || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue;
      seen.add(o);
      Object.freeze(o);
      queue.push(Object.getPrototypeOf(o));
      var keys = Reflect.ownKeys(o);
      for (var i = 0; i < keys.length; i++) {
        var d = Object.getOwnPropertyDescriptor(o, keys[i]);
        if (!d) continue;
        if ("value" in d) queue.push(d.value); else { queue.push(d.get); queue.push(d.set); }
      }
    }
  }
  function fail(name, message) {
    return flat("E" + stringify({error: true, name: name, message: message, stack: ""}));
  }
  return function __cata_install(factory) {
    delete globalThis.__cata_install;
    delete globalThis.__cata_factory;
    lockdown();
    return function __cata_run(fnName, inputText, token) {
      try {
        var fns = factory();
        var fn = fns[fnName];
        if (typeof fn !== "function") return fail("Error", fnName + " is not a function");
        var value = fn(parse(inputText), makeContext(token));
        if (value !== null && typeof value === "object" && typeof value.then === "function") {
          return fail("Error", fnName + " returned a Promise: adapter scripts are synchronous");
        }
        var text = stringify(value === undefined ? null : value);
        return flat("V" + (text === undefined ? "null" : text));
      } catch (e) {
        return flat("E" + stringify(describe(e)));
      }
    };
  };
})(__cata_host, __cata_log, Error, JSON.stringify, JSON.parse, Array.isArray, String);
delete globalThis.__cata_host;
delete globalThis.__cata_log;
"""

# The script compiled once as a factory: its top-level declarations are made afresh by each call.
# Kept on the script's first line so that line numbers in errors are the file's own.
FACTORY_HEAD = "globalThis.__cata_factory = (function __script_top() {"
FACTORY_TAIL = """
;return {transform: typeof transform === "function" ? transform : undefined,
  interpret: typeof interpret === "function" ? interpret : undefined,
  reference: typeof reference === "function" ? reference : undefined};
});"""
