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
