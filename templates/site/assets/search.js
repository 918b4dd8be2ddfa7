// Search over the library, in the browser, with no network: the data is
// assets/search-index.js (window.RMM_SEARCH), loaded with a script tag the
// first time the search box is used, so it works from file:// too. Every
// word of the query must be a prefix of a word of the title, id or text;
// title matches rank first.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var input = document.getElementById("rmm-search");
  var list = document.getElementById("rmm-results");
  if (!input || !list) { return; }
  var loading = false, sel = -1, pending = false;

  function load() {
    if (window.RMM_SEARCH || loading) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + "assets/search-index.js";
    s.onload = function () { if (pending) { run(); } };
    document.head.appendChild(s);
  }

  function words(s) {
    return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  function hasPrefix(list, q) {
    for (var i = 0; i < list.length; i++) { if (list[i].lastIndexOf(q, 0) === 0) { return true; } }
    return false;
  }

  function search(q) {
    var qs = words(q), out = [];
    if (!qs.length || !window.RMM_SEARCH) { return out; }
    var data = window.RMM_SEARCH;
    for (var i = 0; i < data.length; i++) {
      var e = data[i];
      if (!e._t) { e._t = words(e.t + " " + e.i); e._w = e.w.split(" "); }
      var score = 0, ok = true;
      for (var j = 0; j < qs.length; j++) {
        if (hasPrefix(e._t, qs[j])) { score += 10; }
        else if (hasPrefix(e._w, qs[j])) { score += 1; }
        else { ok = false; break; }
      }
      if (ok) { out.push({ e: e, s: score - (e.r ? 5 : 0) }); }
    }
    out.sort(function (a, b) { return b.s - a.s || (a.e.t < b.e.t ? -1 : a.e.t > b.e.t ? 1 : 0); });
    return out.slice(0, 20);
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text) { n.textContent = text; }
    return n;
  }

  function run() {
    pending = false;
    var q = input.value;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    sel = -1;
    if (!q.trim()) { list.hidden = true; return; }
    if (!window.RMM_SEARCH) { pending = true; load(); return; }
    var res = search(q);
    if (!res.length) {
      list.appendChild(el("li", "r-none", "No document matches."));
    }
    res.forEach(function (r) {
      var li = el("li"), a = el("a");
      a.href = root + r.e.u;
      a.appendChild(el("span", "r-title", r.e.t));
      a.appendChild(el("span", "r-kind", r.e.k + (r.e.r ? " · retired" : "")));
      a.appendChild(el("span", "r-snip", r.e.s));
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function move(d) {
    var links = list.querySelectorAll("a");
    if (!links.length) { return; }
    if (sel >= 0 && links[sel]) { links[sel].classList.remove("sel"); }
    sel = (sel + d + links.length) % links.length;
    links[sel].classList.add("sel");
    links[sel].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { move(1); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { move(-1); ev.preventDefault(); }
    else if (ev.key === "Enter") {
      var links = list.querySelectorAll("a");
      var a = links[sel >= 0 ? sel : 0];
      if (a) { window.location.href = a.href; ev.preventDefault(); }
    } else if (ev.key === "Escape") { list.hidden = true; input.blur(); }
  });
  document.addEventListener("click", function (ev) {
    if (!list.contains(ev.target) && ev.target !== input) { list.hidden = true; }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== input) { input.focus(); ev.preventDefault(); }
  });
})();
