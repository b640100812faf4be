/* The reply form on an SMS case: how many SMS parts the text takes as it is typed, with
   and without diacritics, by the rules of canhgiac/web/channels/sms/parts.py (the count
   the server shows after "Đếm số phần tin" and uses when sending is the one that holds).
   The sentence comes translated from the server, in data-template. */
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "^{}\\[~]|€\f";
  var SINGLE = { gsm7: 160, ucs2: 70 };
  var SPLIT = { gsm7: 153, ucs2: 67 };
  var PUNCTUATION = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\t": " " };

  function parts(text) {
    var chars = Array.from(text.normalize("NFC"));
    var gsm = chars.every(function (c) { return BASIC.indexOf(c) >= 0 || EXTENSION.indexOf(c) >= 0; });
    var encoding = gsm ? "gsm7" : "ucs2";
    var weights = chars.map(function (c) {
      return gsm ? (EXTENSION.indexOf(c) >= 0 ? 2 : 1) : (c.codePointAt(0) > 0xffff ? 2 : 1);
    });
    var units = weights.reduce(function (a, b) { return a + b; }, 0);
    if (units <= SINGLE[encoding]) return 1;
    var count = 1, room = SPLIT[encoding];
    weights.forEach(function (w) {
      if (w > room) { count += 1; room = SPLIT[encoding]; }
      room -= w;
    });
    return count;
  }

  function plain(text) {
    var folded = text.normalize("NFC").replace(/đ/g, "d").replace(/Đ/g, "D");
    folded = Array.from(folded).map(function (c) { return PUNCTUATION[c] || c; }).join("");
    return folded.normalize("NFD").replace(/[\u0300-\u036f]/g, "").normalize("NFC");
  }

  var box = document.querySelector("textarea[data-sms-count]");
  var line = document.getElementById("reply-parts");
  if (!box || !line || !line.dataset.template) return;
  function show() {
    var text = box.value.trim();
    line.textContent = line.dataset.template.replace("{parts}", parts(text)).replace("{plain}", parts(plain(text)));
  }
  box.addEventListener("input", show);
  if (box.value) show();
})();
