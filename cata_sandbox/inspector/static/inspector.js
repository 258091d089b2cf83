// The inspector's few behaviours: copy buttons, and live updates from the attempt stream (SSE).
"use strict";

(function () {
  const prefix = document.body.dataset.prefix || "/inspector";

  function copyText(id, button) {
    const node = document.getElementById(id);
    if (!node) return;
    const text = node.textContent;
    const done = () => { const was = button.textContent; button.textContent = "Copied"; setTimeout(() => { button.textContent = was; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallback(node, done));
    } else {
      fallback(node, done);
    }
  }

  function fallback(node, done) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (button) copyText(button.dataset.copy, button);
  });

  function outcomeHtml(dispatched) {
    return dispatched
      ? '<span class="outcome ok"><span aria-hidden="true">\u2713</span> dispatched</span>'
      : '<span class="outcome bad"><span aria-hidden="true">\u2717</span> failed</span>';
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    if (className) td.className = className;
    td.textContent = text;
    return td;
  }

  function refreshCounts() {
    fetch(prefix + "/orders/counts", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((counts) => {
        if (!counts) return;
        for (const [status, n] of Object.entries(counts)) {
          const node = document.querySelector('[data-count="' + status + '"]');
          if (node) node.textContent = String(n);
        }
      })
      .catch(() => {});
  }

  function showOnOrders(attempt) {
    const table = document.getElementById("orders");
    if (!table) return;
    const body = table.tBodies[0];
    let row = body.querySelector('tr[data-order-id="' + CSS.escape(attempt.orderId) + '"]');
    if (!row) {
      const empty = body.querySelector("tr.empty");
      if (empty) empty.remove();
      row = body.insertRow(0);
      row.dataset.orderId = attempt.orderId;
      const when = cell(row, "");
      const time = document.createElement("time");
      time.dateTime = attempt.startedAt;
      time.textContent = attempt.startedAt.replace("T", " ").slice(0, 19);
      when.appendChild(time);
      const ref = row.insertCell();
      const link = document.createElement("a");
      link.href = prefix + "/orders/" + encodeURIComponent(attempt.orderId);
      link.textContent = attempt.orderRefNo;
      ref.appendChild(link);
      cell(row, attempt.outletId);
      cell(row, attempt.route);
      cell(row, "", "outcome-cell");
      cell(row, attempt.dispatched ? "PAID" : "-");
      cell(row, "", "reason");
      row.classList.add("fresh");
      const total = document.querySelector("[data-total]");
      if (total) total.textContent = String(Number(total.textContent) + 1);
    }
    row.querySelector(".outcome-cell").innerHTML = outcomeHtml(attempt.dispatched);
    row.querySelector(".reason").textContent = attempt.reason;
    refreshCounts();
  }

  function showOnOrder(attempt, facts) {
    if (attempt.orderId !== facts.dataset.orderId || document.getElementById("new-attempt")) return;
    const note = document.createElement("p");
    note.id = "new-attempt";
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = "A new attempt was recorded (" + (attempt.dispatched ? "dispatched" : "failed: " + attempt.reason) + "). ";
    const reload = document.createElement("a");
    reload.href = window.location.pathname;
    reload.textContent = "Reload to see it";
    note.appendChild(reload);
    facts.before(note);
  }

  const live = document.getElementById("live");
  const facts = document.getElementById("order-facts");
  if ((live && live.dataset.live === "on") || facts) {
    const source = new EventSource(prefix + "/stream");
    source.addEventListener("attempt", (event) => {
      const attempt = JSON.parse(event.data);
      if (facts) showOnOrder(attempt, facts);
      else showOnOrders(attempt);
    });
    document.body.dataset.stream = "connecting";
    source.addEventListener("open", () => { document.body.dataset.stream = "open"; });
  }
})();
