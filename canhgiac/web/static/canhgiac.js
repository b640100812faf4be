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
  function busy(form, on) {
    var button = form.querySelector("button[data-busy]");
    if (!button) return;
    if (!button.hasAttribute("data-idle")) button.setAttribute("data-idle", button.textContent);
    button.disabled = on;
    button.textContent = button.getAttribute(on ? "data-busy" : "data-idle");
  }

  function busyOnSubmit(form) {
    form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) busy(form, true);
    });
  }

  // Photos: a phone's are 4-12 MB, too big to send over a weak connection. Each is
  // redrawn here, longest side 1600 px, as a JPEG at quality 0.8 (a few hundred kB, and
  // without its hidden metadata), before the form goes. A photo the browser cannot
  // read goes as it is; the server says if it refuses it.
  var LONGEST = 1600;
  var QUALITY = 0.8;

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return createImageBitmap(file);
      });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        resolve(img);
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("unreadable"));
      };
      img.src = url;
    });
  }

  function shrink(file) {
    if (!/^image\//.test(file.type)) return Promise.resolve(file);
    return decode(file)
      .then(function (picture) {
        var width = picture.width;
        var height = picture.height;
        var scale = Math.min(1, LONGEST / Math.max(width, height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(width * scale));
        canvas.height = Math.max(1, Math.round(height * scale));
        canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) {
          canvas.toBlob(
            function (blob) {
              if (!blob || (scale === 1 && blob.size >= file.size)) return resolve(file);
              var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
              resolve(new File([blob], name, { type: "image/jpeg" }));
            },
            "image/jpeg",
            QUALITY
          );
        });
      })
      .catch(function () {
        return file;
      });
  }

  function shrinkPhotos(form) {
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector("#upload-status");
    if (!input || !status || !window.Promise) return;
    var words = form.dataset;
    var maxPhotos = parseInt(words.maxPhotos, 10) || 0;
    var maxBytes = parseInt(words.maxBytes, 10) || 0;
    var shrunk = false;
    function say(text, error) {
      status.textContent = text;
      status.className = error ? "error" : "help";
      status.hidden = !text;
    }
    input.addEventListener("change", function () {
      shrunk = false;
      say("", false);
    });
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.slice.call(input.files || []);
      if (shrunk || !files.length) return;
      event.preventDefault();
      if (maxPhotos && files.length > maxPhotos) {
        say(words.tooMany, true);
        return;
      }
      busy(form, true);
      say(words.shrinking, false);
      Promise.all(files.map(shrink)).then(function (photos) {
        var total = photos.reduce(function (n, f) {
          return n + f.size;
        }, 0);
        if (maxBytes && total > maxBytes) {
          busy(form, false);
          say(words.tooBig, true);
          return;
        }
        try {
          var chosen = new DataTransfer();
          photos.forEach(function (f) {
            chosen.items.add(f);
          });
          input.files = chosen.files;
        } catch (e) {
          // An old browser: the originals go, and the server shrinks them.
        }
        shrunk = true;
        say("", false);
        form.submit();
      });
    });
  }

  function start() {
    var intake = document.getElementById("intake");
    if (intake) shareLocation();
    document.querySelectorAll("form[data-shrink]").forEach(function (form) {
      shrinkPhotos(form);
      busyOnSubmit(form);
    });
    // "Quay lại" after a refusal: the browser's back keeps what was typed in the form.
    document.querySelectorAll("a[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1) {
          event.preventDefault();
          window.history.back();
        }
      });
    });
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
