/* The little the pages do in the browser, in one file so that the Content-Security-Policy
   can forbid inline scripts. Each part runs only on a page that has its elements; every
   text it shows comes from data- attributes the server translated. */
(function () {
  "use strict";

  // Intake form: share the location only when asked, and say what happened.
  function shareLocation() {
    var box = document.getElementById("id_share_location");
    var status = document.getElementById("location-status");
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    if (!box || !status || !latitude || !longitude) return;
    var words = status.dataset;
    box.addEventListener("change", function () {
      if (!box.checked) {
        latitude.value = "";
        longitude.value = "";
        status.textContent = "";
        return;
      }
      if (!navigator.geolocation) {
        status.textContent = words.none;
        box.checked = false;
        return;
      }
      status.textContent = words.busy;
      navigator.geolocation.getCurrentPosition(
        function (p) {
          latitude.value = p.coords.latitude.toFixed(5);
          longitude.value = p.coords.longitude.toFixed(5);
          status.textContent = words.done;
        },
        function () {
          status.textContent = words.fail;
          box.checked = false;
        }
      );
    });
  }

  // A form sent once: the button says it is busy, so nobody sends the same tip twice.
  function busyOnSubmit(form) {
    var button = form.querySelector("button[data-busy]");
    if (!button) return;
    form.addEventListener("submit", function () {
      button.disabled = true;
      button.textContent = button.getAttribute("data-busy");
    });
  }

  function start() {
    var intake = document.getElementById("intake");
    if (intake) {
      shareLocation();
      busyOnSubmit(intake);
    }
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
