// The work list: select-all for the bulk actions, the counts of the views (a light poll every 30 s, paused while
// the tab is hidden) and "N new" instead of reloading under the user's hands; the list's order is remembered so
// the complaint page's j/k go to the next and previous complaint.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name='numbers[]']"));
  var picked = document.getElementById("picked");
  var actions = document.querySelector(".bulk-actions");
  // The bulk actions show once something is ticked.
  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    if (actions) { actions.hidden = n === 0; }
    if (picked) { picked.textContent = n ? "(" + n + ")" : ""; }
    if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();

  var list = document.querySelector(".worklist");
  if (!list) { return; }
  // On a phone the filters fold away unless some are in use, so the list comes first.
  var panel = document.getElementById("filter-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 760px)").matches &&
      !/[?&](status|priority|outlet|category|channel|region|flag|from|to)=/.test(location.search)) {
    panel.open = false;
  }
  try {
    sessionStorage.setItem("kesu.list", JSON.stringify({
      back: location.pathname + location.search,
      numbers: boxes.map(function (b) { return b.value; })
    }));
  } catch (e) { /* private mode: no j/k between complaints */ }
  if (location.search.indexOf("done=") >= 0 && history.replaceState) {
    history.replaceState(null, "", location.href.replace(/([?&])done=[a-z_]+(&n=\d+)?&?/, "$1").replace(/[?&]$/, ""));
  }

  var total = parseInt(list.getAttribute("data-total"), 10) || 0;
  var fresh = document.getElementById("fresh");
  function poll() {
    if (document.hidden) { return; }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", list.getAttribute("data-counts"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var data = JSON.parse(xhr.responseText);
      Array.prototype.forEach.call(document.querySelectorAll(".side-views .n[data-view]"), function (el) {
        var n = data.views[el.getAttribute("data-view")];
        el.textContent = n === undefined ? "" : n > data.cap ? data.cap + "+" : String(n);
      });
      if (fresh && data.current > total && total <= data.cap) {
        var link = fresh.querySelector("a");
        link.textContent = (link.getAttribute("data-text") || link.textContent).replace("{n}", String(data.current - total));
        fresh.hidden = false;
      }
    };
    xhr.send();
  }
  var link = fresh && fresh.querySelector("a");
  if (link) { link.setAttribute("data-text", link.textContent); }
  poll();
  setInterval(poll, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
})();
