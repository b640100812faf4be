/* New and urgent tips reach an officer without a refresh. Every console page asks the
   server (cases:live, a small JSON answer) every few seconds: the header shows the unread
   count, the inbox offers to reload when tips arrived, and an urgent tip brings a banner,
   a short sound and, if the officer allowed it, a browser notification. Every text comes
   from data- attributes the server translated; nothing here names a language. */
(function () {
  "use strict";

  var box = document.getElementById("live");
  if (!box || !window.fetch) return;
  var words = box.dataset;
  var seconds = Math.max(1, parseInt(words.seconds, 10) || 15);
  var count = document.getElementById("live-count");
  var expired = document.getElementById("live-expired");
  var banners = document.getElementById("live-urgent");
  var notifyButton = document.getElementById("live-notify");
  var notice = document.getElementById("live-new"); // on the inbox only
  var title = document.title;
  // The newest case this tab has seen, kept across the console's pages, so that an urgent
  // tip that arrived while a page was loading still raises its banner on the next one.
  var KEY = "canhgiac.live.cursor";
  var cursor = stored();
  var polls = 0;
  var fresh = 0; // new tips since this page was loaded
  var failures = 0;
  var timer = null;
  var busy = false;
  var stopped = false;
  var interacted = false;
  var audio = null;

  function stored() {
    try {
      var value = parseInt(window.sessionStorage.getItem(KEY), 10);
      return isNaN(value) ? null : value;
    } catch (e) {
      return null;
    }
  }

  function store(value) {
    try {
      window.sessionStorage.setItem(KEY, String(value));
    } catch (e) {
      // Private mode without storage: each page starts from what it sees.
    }
  }

  function showCount(unread) {
    if (!count) return;
    count.textContent = unread ? " (" + unread + ")" : "";
    count.hidden = !unread;
    document.title = unread ? "(" + unread + ") " + title : title;
  }

  function showNotice() {
    if (!notice || !fresh) return;
    var link = notice.querySelector("a");
    var text = fresh === 1 && notice.dataset.one ? notice.dataset.one : notice.dataset.text;
    if (link) link.textContent = text.replace("{n}", String(fresh));
    notice.hidden = false;
  }

  function banner(item) {
    var row = document.createElement("p");
    row.className = "banner live-alert";
    var label = document.createElement("strong");
    label.textContent = words.urgent + ": ";
    row.appendChild(label);
    var link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.reference;
    link.title = words.open;
    row.appendChild(link);
    if (item.category) row.appendChild(document.createTextNode(" · " + item.category));
    if (item.preview) {
      var preview = document.createElement("span");
      preview.textContent = item.preview;
      row.appendChild(preview);
    }
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "secondary";
    dismiss.textContent = words.dismiss;
    dismiss.addEventListener("click", function () {
      if (row.parentNode) row.parentNode.removeChild(row);
    });
    row.appendChild(dismiss);
    banners.insertBefore(row, banners.firstChild);
    while (banners.children.length > 5) banners.removeChild(banners.lastChild);
  }

  // Browsers play a sound only after the person has touched the page once.
  function chime() {
    if (!interacted || !words.sound) return;
    try {
      audio = audio || new Audio(words.sound);
      audio.currentTime = 0;
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () {});
    } catch (e) {
      // No audio on this browser: the banner is enough.
    }
  }

  function canNotify() {
    return "Notification" in window;
  }

  // The reference and the category only: a notification can show on a locked screen.
  function notify(item) {
    if (!canNotify() || window.Notification.permission !== "granted") return;
    try {
      var shown = new window.Notification(words.urgent + ": " + item.reference, { body: item.category || "", tag: "canhgiac-" + item.id });
      shown.onclick = function () {
        window.focus();
        window.location.href = item.url;
        shown.close();
      };
    } catch (e) {
      // Android's Chrome shows notifications only from a service worker: the banner stays.
    }
  }

  function offerNotifications() {
    if (!notifyButton) return;
    notifyButton.hidden = !(canNotify() && window.Notification.permission === "default");
  }

  function show(data) {
    polls += 1;
    showCount(data.unread);
    var first = polls === 1;
    // The first answer of a page only sets where it stands, unless this tab had seen
    // the console before: then what arrived in between is news too.
    if (!first) {
      fresh += data["new"];
      showNotice();
    }
    if (!first || cursor !== null) {
      var urgent = data.urgent.slice().reverse();
      urgent.forEach(banner);
      urgent.forEach(notify);
      if (urgent.length) chime();
    }
    cursor = Math.max(cursor || 0, data.newest.id);
    store(cursor);
    box.setAttribute("data-polls", String(polls));
  }

  function expire() {
    stopped = true;
    clearTimeout(timer);
    if (expired) expired.hidden = false;
  }

  function schedule() {
    if (stopped) return;
    clearTimeout(timer);
    // A hidden tab asks four times less often; a failing server less and less often.
    var wait = seconds * (document.hidden ? 4 : 1) * Math.pow(2, Math.min(failures, 4));
    timer = setTimeout(poll, wait * 1000);
  }

  function poll() {
    if (stopped || busy) return;
    busy = true;
    var url = words.url + (cursor !== null ? "?since=" + cursor : "");
    // A lapsed session answers with a redirect to the login page: not followed, it is
    // recognised as such.
    fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          expire();
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        busy = false;
        if (data) {
          failures = 0;
          show(data);
        }
        schedule();
      })
      .catch(function () {
        busy = false;
        failures += 1;
        schedule();
      });
  }

  function start() {
    ["pointerdown", "keydown"].forEach(function (kind) {
      document.addEventListener(
        kind,
        function () {
          interacted = true;
        },
        { once: true, capture: true }
      );
    });
    offerNotifications();
    if (notifyButton && canNotify()) {
      notifyButton.addEventListener("click", function () {
        var asked = window.Notification.requestPermission(offerNotifications);
        if (asked && asked.then) asked.then(offerNotifications);
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !stopped) {
        clearTimeout(timer);
        poll();
      }
    });
    poll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
