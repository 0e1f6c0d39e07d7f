// 来电登记: as the agent types the description, offer the classifier's two likeliest categories; a click puts one in
// the category field. Server text is inserted as text, never as HTML.
(function () {
  "use strict";
  var text = document.getElementById("description");
  var box = document.getElementById("triage-suggest");
  var select = document.getElementById("category");
  if (!text || !box || !select) { return; }
  var options = document.getElementById("triage-options");
  var urgent = document.getElementById("triage-urgent");
  var timer = null;

  function show(data) {
    options.textContent = "";
    box.hidden = !data.options || data.options.length === 0;
    (data.options || []).forEach(function (o, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "small " + (i === 0 && data.sure ? "primary" : "secondary");
      b.dataset.category = o.value;
      b.textContent = o.label + " · " + o.confidence;
      b.setAttribute("aria-pressed", select.value === o.value ? "true" : "false");
      b.addEventListener("click", function () {
        select.value = o.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        Array.prototype.forEach.call(options.querySelectorAll("button"), function (x) {
          x.setAttribute("aria-pressed", x === b ? "true" : "false");
        });
      });
      options.appendChild(b);
    });
    urgent.textContent = (data.urgent || []).join("；");
  }

  function ask() {
    var words = text.value.trim();
    if (!words) { box.hidden = true; return; }
    fetch("/complaints/new/suggest?" + new URLSearchParams({ text: words.slice(0, 1000) }).toString(),
      { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* the form works without the suggestion */ });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
  if (text.value.trim()) { ask(); }
})();
