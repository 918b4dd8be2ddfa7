// The controlled-copy header of printed pages (render/print.go).
//
// Every controlled-copy block ([data-rmm-header]: one per document, and
// the manifest of a baseline's copy) gets a named CSS page for the
// article that holds it; the page's margin boxes carry the block's header
// (id, status, short fingerprint) and the time of printing, beside what
// print.css puts on every page ("Uncontrolled when printed", "Page X of
// Y"). So a printout of several documents heads each page with the
// document on it. The time of printing is html[data-rmm-printed] when
// rmm pdf set it, else the browser's clock when the reader prints
// (beforeprint); it also fills the blocks' "Printed ____" blank.
//
// The rules go into a constructed style sheet: the site's
// Content-Security-Policy allows no inline style, and a file:// page may
// not read or change the rules of its own style sheets.
(function () {
  "use strict";
  if (typeof CSSStyleSheet !== "function" || !("adoptedStyleSheets" in document)) {
    return; // print.css alone: the generic header, the block without a date
  }
  var sheet;
  try {
    sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  } catch (e) {
    return;
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // now is the local time as 2026-11-26 13:05 +01:00.
  function now() {
    var d = new Date();
    var off = -d.getTimezoneOffset();
    var sign = off < 0 ? "-" : "+";
    off = Math.abs(off);
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
      two(d.getHours()) + ":" + two(d.getMinutes()) + " " + sign + two(Math.floor(off / 60)) + ":" + two(off % 60);
  }

  // str quotes s as a CSS string.
  function str(s) {
    return '"' + String(s).replace(/[\\"]/g, "\\$&").replace(/[\u0000-\u001f\u007f]+/g, " ") + '"';
  }

  function apply() {
    var root = document.documentElement;
    var when = root.getAttribute("data-rmm-printed") || now();
    var blocks = document.querySelectorAll("[data-rmm-header]");
    var css = "";
    for (var i = 0; i < blocks.length; i++) {
      var b = blocks[i];
      var name = "rmm-copy-" + i;
      var box = b.closest("article") || document.body;
      box.style.page = name;
      css += "@page " + name + " { @top-left { content: " + str(b.getAttribute("data-rmm-header")) + "; }" +
        " @bottom-left { content: " + str("Printed " + when) + "; } }\n";
      var blanks = b.querySelectorAll(".cc-printed");
      for (var j = 0; j < blanks.length; j++) {
        blanks[j].textContent = when;
      }
    }
    sheet.replaceSync(css);
    root.setAttribute("data-rmm-copies", String(blocks.length));
  }

  window.addEventListener("beforeprint", apply);
  apply();
})();
