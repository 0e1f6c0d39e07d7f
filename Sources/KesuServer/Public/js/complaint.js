// The complaint page: the composer (reply to the customer by default, an internal note one click away), canned
// replies (话术) that also switch to reply, keyboard shortcuts with a `?` overlay, next/previous complaint of the
// list the agent came from, and the flash message's `done=` taken out of the address once shown.
(function () {
  "use strict";
  var canned = document.getElementById("canned");
  var body = document.getElementById("body");
  var composer = document.getElementById("composer");
  var reply = document.getElementById("mode-reply");
  var note = document.getElementById("mode-note");
  function mode() {
    if (!composer) { return; }
    composer.classList.toggle("reply", reply.checked);
    composer.classList.toggle("note", note.checked);
  }
  if (composer) {
    reply.addEventListener("change", mode);
    note.addEventListener("change", mode);
    mode();
    body.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && body.value.trim()) { composer.submit(); }
    });
  }
  if (canned && body) {
    canned.addEventListener("change", function () {
      if (canned.value) {
        body.value = canned.value;
        reply.checked = true;
        mode();
        body.focus();
      }
    });
  }
  if (location.search.indexOf("done=") >= 0 && history.replaceState) {
    history.replaceState(null, "", location.pathname + location.hash);
  }

  // The list the agent came from, remembered by the work list.
  var list = null;
  try { list = JSON.parse(sessionStorage.getItem("kesu.list") || "null"); } catch (e) { list = null; }
  var number = (document.querySelector(".complaint-head h1") || {}).textContent;
  var prev = null, next = null;
  if (list && list.numbers) {
    var i = list.numbers.indexOf(number);
    if (i >= 0) {
      prev = i > 0 ? "/complaints/" + list.numbers[i - 1] : null;
      next = i < list.numbers.length - 1 ? "/complaints/" + list.numbers[i + 1] : null;
      var nav = document.getElementById("list-nav");
      var back = document.getElementById("back-to-list");
      if (back && list.back) { back.href = list.back; }
      if (prev) { document.getElementById("prev-complaint").href = prev; }
      if (next) { document.getElementById("next-complaint").href = next; }
      if (nav && (prev || next)) { nav.hidden = false; }
    }
  }

  var overlay = document.getElementById("shortcuts");
  function help(show) { if (overlay) { overlay.hidden = !show; if (show) { document.getElementById("shortcuts-close").focus(); } } }
  var opener = document.getElementById("shortcuts-open");
  if (opener) { opener.addEventListener("click", function () { help(true); }); }
  var closer = document.getElementById("shortcuts-close");
  if (closer) { closer.addEventListener("click", function () { help(false); }); }
  function write(asNote) {
    if (!composer) { return; }
    (asNote ? note : reply).checked = true;
    mode();
    body.scrollIntoView({ block: "center" });
    body.focus();
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (e.key === "Escape") { help(false); if (typing) { t.blur(); } return; }
    if (typing) { return; }
    switch (e.key) {
    case "?": help(overlay && overlay.hidden); break;
    case "r": write(false); break;
    case "n": write(true); break;
    case "j": if (next) { location.href = next; } break;
    case "k": if (prev) { location.href = prev; } break;
    case "u": location.href = (list && list.back) || "/complaints"; break;
    default: return;
    }
    e.preventDefault();
  });
})();
