/* Behaviour of the site's own pages, kept out of the HTML so the Content-Security-Policy can refuse every
   inline script: a <select data-autosubmit> sends its form when a choice is made. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();

/* Small page helpers, no framework.
   Tables become cards below 600 px (static/css/site.css): each cell is labelled with its column's heading,
   copied here from the table head into data-label (also after an htmx swap replaces a table body). */
(function () {
  "use strict";
  function label(root) {
    (root || document).querySelectorAll("main table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      if (!heads.length) { return; }
      table.classList.add("has-labels");
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (!td.hasAttribute("data-label") && heads[i]) { td.setAttribute("data-label", heads[i]); }
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(); });
  document.addEventListener("htmx:afterSwap", function (e) { label(e.target.closest("table") || e.target); });
})();

/* The phone header's menu button opens and closes the menu (a data attribute instead of an inline handler,
   which the Content-Security-Policy refuses). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-menu-toggle]") : null;
    if (!button) { return; }
    var header = document.getElementById(button.getAttribute("data-menu-toggle"));
    if (!header) { return; }
    button.setAttribute("aria-expanded", String(header.classList.toggle("open")));
  });
})();
