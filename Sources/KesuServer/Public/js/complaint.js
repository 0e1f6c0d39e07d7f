// The complaint page: choosing a canned reply (话术) puts its text, already filled in, into the reply box.
(function () {
  "use strict";
  var canned = document.getElementById("canned");
  var body = document.getElementById("body");
  if (!canned || !body) { return; }
  canned.addEventListener("change", function () {
    if (canned.value) {
      body.value = canned.value;
      body.focus();
    }
  });
})();
