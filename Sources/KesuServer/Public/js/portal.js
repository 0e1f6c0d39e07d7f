// The customer's pages: copying their private link with one tap.
(function () {
  "use strict";
  var button = document.getElementById("copy-link");
  var link = document.getElementById("private-link");
  var done = document.getElementById("copy-done");
  if (!button || !link) { return; }
  button.addEventListener("click", function () {
    var text = link.href;
    function said() { done.textContent = button.getAttribute("data-copied"); }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(said, function () { select(); });
    } else { select(); }
    function select() {
      var range = document.createRange();
      range.selectNodeContents(link);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      try { if (document.execCommand("copy")) { said(); } } catch (e) { /* the link stays selected to copy by hand */ }
    }
  });
})();
