// 来电登记: as the agent types the phone or waybill, show the customer's earlier complaints and the shipment.
// Everything from the server is inserted as text, never as HTML.
(function () {
  "use strict";
  var phone = document.getElementById("phone");
  var waybill = document.getElementById("waybill");
  if (!phone || !waybill) { return; }
  var timer = null;

  function item(list, text, href) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      li.appendChild(a);
    } else {
      li.textContent = text;
    }
    list.appendChild(li);
  }

  function fill(listId, entries, toText, toHref) {
    var list = document.getElementById(listId);
    list.textContent = "";
    entries.forEach(function (e) { item(list, toText(e), toHref ? toHref(e) : null); });
  }

  function show(data) {
    var history = document.getElementById("customer-history");
    history.hidden = !data.customer;
    document.getElementById("customer-name").textContent = data.customer || "";
    fill("customer-complaints", data.complaints || [], function (c) {
      return c.number + " · " + c.status + " · " + c.category + " · " + c.receivedAt;
    }, function (c) { return "/complaints/" + c.number; });

    var info = document.getElementById("waybill-info");
    info.hidden = !data.shipment && !(data.openOnWaybill || []).length;
    document.getElementById("shipment-route").textContent = data.shipment || "";
    fill("shipment-tracking", data.tracking || [], function (s) { return s.at + " " + s.text; });
    var open = data.openOnWaybill || [];
    document.getElementById("open-warning").hidden = open.length === 0;
    fill("open-complaints", open, function (c) { return c.number + " · " + c.status; },
      function (c) { return "/complaints/" + c.number; });
  }

  function lookUp() {
    var query = new URLSearchParams({ phone: phone.value.trim(), waybill: waybill.value.trim().split(/[\s,，;；]/)[0] || "" });
    fetch("/complaints/new/lookup?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* the form works without the side panel */ });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 300);
  }

  phone.addEventListener("input", soon);
  waybill.addEventListener("input", soon);
  if (phone.value || waybill.value) { lookUp(); }
})();
