// Search over the library, in the browser, with no network: the data is
// assets/search-index.js (window.RMM_SEARCH, see render/search.go), loaded
// with a script tag the first time the search box is used, so it works
// from file:// too. The index holds the dictionary of the sections' text;
// the script adds the terms of titles, ids, tags, headings and people the
// first time it searches. A query word matches a term that equals it,
// starts with it, or, for words of 4 letters or more, is one edit away
// (a letter added, dropped, changed, or two neighbours swapped). Every
// word of the query must match in the document: its title or id, the
// people it names (by email and by name), or its text. A result opens the
// section where its words are (the part of the page that names a person,
// the top for a title), with the passage that matched, words marked.
//
// The box is an ARIA 1.2 combobox: the results are a listbox, the arrow
// keys move the active option (aria-activedescendant), Enter opens it,
// Escape closes the list (or clears the box), and a polite live region
// tells how many documents match. Indexed text only ever reaches the page
// as text nodes (textContent), never as markup.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var input = document.getElementById("rmm-search");
  var panel = document.getElementById("rmm-results-panel");
  var list = document.getElementById("rmm-results");
  var more = document.getElementById("rmm-more");
  var status = document.getElementById("rmm-search-status");
  if (!input || !list) { return; }
  if (!panel) { panel = list; }

  var PAGE = 20, SNIP = 180;
  var loading = false, pending = false, ix = null;
  var results = [], shown = 0, active = -1, terms = null;

  function load() {
    if (window.RMM_SEARCH || loading) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + "assets/search-index.js";
    s.onload = function () { if (pending) { run(); } };
    document.head.appendChild(s);
  }

  var WORD = /[\p{L}\p{N}]+/gu;
  function words(s) { return s ? s.toLowerCase().match(WORD) || [] : []; }

  // post adds n to the postings of every term of text in map m, once.
  function post(m, text, n) {
    var ws = words(text);
    for (var i = 0; i < ws.length; i++) {
      var l = m.get(ws[i]);
      if (!l) { m.set(ws[i], [n]); } else if (l[l.length - 1] !== n) { l.push(n); }
    }
  }

  // prepare builds the term dictionary: terms of titles, ids and tags
  // (by document), of people (by person row) and of section headings and
  // text (by section). A document's sections and person rows are
  // consecutive: first[d] .. first[d+1].
  function prepare() {
    var data = window.RMM_SEARCH, names = data.n || {};
    var docs = data.d || [], title = new Map(), tags = new Map(), people = new Map(), head = new Map(), post36 = data.w || {};
    var prow = [], sec = [], secFirst = [0], prowFirst = [0];
    for (var d = 0; d < docs.length; d++) {
      var e = docs[d];
      post(title, e.i + " " + e.t, d);
      post(tags, (e.g || []).join(" "), d);
      (e.p || []).forEach(function (p) {
        var n = prow.length, who = p[1], name = names[who.toLowerCase()];
        prow.push({ d: d, role: p[0], who: name ? name + " <" + who + ">" : who, a: p[2] });
        post(people, who + " " + (name || ""), n);
      });
      (e.s || []).forEach(function (s) {
        var n = sec.length;
        sec.push({ d: d, a: s.a || "", h: s.h || "", x: s.x || "" });
        post(head, s.h, n);
      });
      secFirst.push(sec.length);
      prowFirst.push(prow.length);
    }
    var vocab = new Set(), secDoc = new Int32Array(sec.length), prowDoc = new Int32Array(prow.length);
    [title, tags, people, head].forEach(function (m) { m.forEach(function (_, k) { vocab.add(k); }); });
    Object.keys(post36).forEach(function (k) { vocab.add(k); });
    // The sections whose text holds a term, read from the index's
    // dictionary the first time a query needs the term.
    var text = { seen: new Map(), get: function (t) {
      var l = this.seen.get(t);
      if (l !== undefined) { return l; }
      l = null;
      if (Object.prototype.hasOwnProperty.call(post36, t)) {
        var parts = post36[t].split(" "), n = 0;
        l = new Int32Array(parts.length);
        for (var i = 0; i < parts.length; i++) { n += parseInt(parts[i], 36); l[i] = n; }
      }
      this.seen.set(t, l);
      return l;
    } };
    sec.forEach(function (x, n) { secDoc[n] = x.d; });
    prow.forEach(function (x, n) { prowDoc[n] = x.d; });
    ix = { docs: docs, title: title, tags: tags, people: people, head: head, text: text, prow: prow, sec: sec,
      secDoc: secDoc, prowDoc: prowDoc, secFirst: secFirst, prowFirst: prowFirst, vocab: Array.from(vocab) };
  }

  // near reports whether a and b are one edit apart: a letter added,
  // dropped or changed, or two neighbouring letters swapped.
  function near(a, b) {
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1 || a === b) { return false; }
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) { i++; }
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) { return true; }
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  // expand lists the terms a query word matches, each with its quality:
  // 3 the word itself, 2 a longer term it starts, 1 a term one edit away.
  function expand(q) {
    var out = [], v = ix.vocab, typo = q.length >= 4;
    for (var i = 0; i < v.length; i++) {
      var t = v[i];
      if (t === q) { out.push([t, 3]); }
      else if (t.length > q.length && t.lastIndexOf(q, 0) === 0) { out.push([t, 2]); }
      else if (typo && near(q, t)) { out.push([t, 1]); }
    }
    // The best terms first; a one-letter prefix may match thousands.
    out.sort(function (a, b) { return b[1] - a[1] || a[0].length - b[0].length; });
    return out.slice(0, 200);
  }

  // search returns the matching documents, best first, each with the
  // section or person row its words are in (the one that holds the most
  // of them; none when the title holds them all). Per word, a document
  // scores its best match: in the title or id 10, a person 6, a tag 5, a heading
  // 3, the text 1, times 3 for the word itself, 2 for a prefix, 1 for a
  // typo.
  function search(q) {
    var qs = words(q), marks = new Set();
    if (!qs.length) { return []; }
    var nd = ix.docs.length, ns = ix.sec.length, np = ix.prow.length;
    var matched = new Int32Array(nd), score = new Float64Array(nd), titled = new Int32Array(nd);
    var secAcc = new Float64Array(ns), prowAcc = new Float64Array(np);
    var wDoc = new Float64Array(nd), wSec = new Float64Array(ns), wProw = new Float64Array(np), wTitle = new Uint8Array(nd);
    for (var w = 0; w < qs.length; w++) {
      var ts = expand(qs[w]), docs = [], secs = [], rows = [];
      for (var k = 0; k < ts.length; k++) {
        var t = ts[k][0], g = ts[k][1], any = false, l, i, n, d, v;
        if ((l = ix.title.get(t))) {
          for (i = 0; i < l.length; i++) {
            d = l[i];
            if (matched[d] !== w) { continue; }
            any = true;
            if (!wDoc[d]) { docs.push(d); }
            if (g * 10 > wDoc[d]) { wDoc[d] = g * 10; }
            wTitle[d] = 1;
          }
        }
        if ((l = ix.tags.get(t))) {
          for (i = 0; i < l.length; i++) {
            d = l[i];
            if (matched[d] !== w) { continue; }
            any = true;
            if (!wDoc[d]) { docs.push(d); }
            if (g * 5 > wDoc[d]) { wDoc[d] = g * 5; }
          }
        }
        if ((l = ix.people.get(t))) {
          for (i = 0; i < l.length; i++) {
            n = l[i]; d = ix.prowDoc[n];
            if (matched[d] !== w) { continue; }
            any = true;
            if (!wDoc[d]) { docs.push(d); }
            if (!wProw[n]) { rows.push(n); }
            v = g * 6;
            if (v > wProw[n]) { wProw[n] = v; }
            if (v > wDoc[d]) { wDoc[d] = v; }
          }
        }
        for (var h = 0; h < 2; h++) {
          if (!(l = (h ? ix.text : ix.head).get(t))) { continue; }
          v = h ? g : g * 3;
          for (i = 0; i < l.length; i++) {
            n = l[i]; d = ix.secDoc[n];
            if (matched[d] !== w) { continue; }
            any = true;
            if (!wDoc[d]) { docs.push(d); }
            if (!wSec[n]) { secs.push(n); }
            if (v > wSec[n]) { wSec[n] = v; }
            if (v > wDoc[d]) { wDoc[d] = v; }
          }
        }
        if (any) { marks.add(t); }
      }
      for (i = 0; i < docs.length; i++) {
        d = docs[i];
        matched[d] = w + 1;
        score[d] += wDoc[d];
        titled[d] += wTitle[d];
        wDoc[d] = 0;
        wTitle[d] = 0;
      }
      for (i = 0; i < secs.length; i++) { n = secs[i]; secAcc[n] += wSec[n]; wSec[n] = 0; }
      for (i = 0; i < rows.length; i++) { n = rows[i]; prowAcc[n] += wProw[n]; wProw[n] = 0; }
      if (!docs.length) { return []; }
    }
    var out = [];
    for (d = 0; d < nd; d++) {
      if (matched[d] !== qs.length) { continue; }
      var e = ix.docs[d], at = null;
      if (titled[d] < qs.length) {
        var best = 0, j;
        for (j = ix.secFirst[d]; j < ix.secFirst[d + 1]; j++) {
          if (secAcc[j] > best) { best = secAcc[j]; at = { sec: ix.sec[j] }; }
        }
        for (j = ix.prowFirst[d]; j < ix.prowFirst[d + 1]; j++) {
          if (prowAcc[j] > best) { best = prowAcc[j]; at = { person: ix.prow[j] }; }
        }
      }
      out.push({ e: e, d: d, s: score[d] - (e.r ? 5 : 0), at: at });
    }
    out.sort(function (a, b) { return b.s - a.s || (a.e.t < b.e.t ? -1 : a.e.t > b.e.t ? 1 : a.d - b.d); });
    terms = marks;
    return out;
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text) { n.textContent = text; }
    return n;
  }

  // marked appends text to node, each word of marks in a <mark>.
  function marked(node, text) {
    var re = new RegExp(WORD.source, "gu"), last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (terms && terms.has(m[0].toLowerCase())) {
        if (m.index > last) { node.appendChild(document.createTextNode(text.slice(last, m.index))); }
        node.appendChild(el("mark", "", m[0]));
        last = m.index + m[0].length;
      }
    }
    if (last < text.length) { node.appendChild(document.createTextNode(text.slice(last))); }
    return node;
  }

  // passage is the part of text around its first marked word.
  function passage(text) {
    var re = new RegExp(WORD.source, "gu"), m, at = -1;
    while ((m = re.exec(text)) !== null) {
      if (terms.has(m[0].toLowerCase())) { at = m.index; break; }
    }
    if (text.length <= SNIP) { return text; }
    var start = at < 0 ? 0 : Math.max(0, at - 50);
    if (start > 0) {
      var sp = text.indexOf(" ", start);
      start = sp >= 0 && sp < at ? sp + 1 : start;
    }
    var end = Math.min(text.length, start + SNIP);
    if (end < text.length) {
      var cut = text.lastIndexOf(" ", end);
      if (cut > start + SNIP / 2) { end = cut; }
      var c = text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) { end--; } // not half a character
    }
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function option(r, i) {
    var e = r.e, href = root + e.u, where = "", text = "";
    if (r.at && r.at.sec) {
      var s = r.at.sec;
      if (s.a) { href += "#" + s.a; }
      where = s.h;
      text = s.x || s.h;
    } else if (r.at && r.at.person) {
      // Every role of the person in the document, the one found first.
      var p = r.at.person, roles = [p.role];
      for (var j = ix.prowFirst[r.d]; j < ix.prowFirst[r.d + 1]; j++) {
        var o = ix.prow[j];
        if (o.who === p.who && roles.indexOf(o.role) < 0) { roles.push(o.role); }
      }
      if (p.a) { href += "#" + p.a; }
      roles = roles.join(", ");
      text = roles.charAt(0).toUpperCase() + roles.slice(1) + ": " + p.who;
    } else {
      var first = (e.s || [])[0], hit = (e.g || []).filter(function (g) { return words(g).some(function (w) { return terms.has(w); }); });
      text = hit.length ? "Tags: " + hit.join(", ") : first ? first.x || first.h || "" : "";
    }
    var li = el("li"), a = el("a");
    li.setAttribute("role", "none");
    a.id = "rmm-opt-" + i;
    a.href = href;
    a.tabIndex = -1;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.appendChild(marked(el("span", "r-title"), e.t));
    a.appendChild(marked(el("span", "r-kind"), e.i + " · " + e.k + (e.r ? " · retired" : "") + (where ? " · " + where : "")));
    if (text) { a.appendChild(marked(el("span", "r-snip"), passage(text))); }
    li.appendChild(a);
    return li;
  }

  function say(msg) { if (status && status.textContent !== msg) { status.textContent = msg; } }

  function open(on) {
    panel.hidden = !on;
    input.setAttribute("aria-expanded", on ? "true" : "false");
    if (!on) { setActive(-1); }
  }

  function show(upto) {
    for (; shown < upto && shown < results.length; shown++) { list.appendChild(option(results[shown], shown)); }
    if (more) { more.hidden = shown >= results.length; }
    var n = results.length;
    say(n === 0 ? "No document matches." :
      (n === 1 ? "1 document matches." : n + " documents match.") +
      (shown < n ? " Showing " + shown + "; press More results for the rest." : ""));
  }

  function run() {
    pending = false;
    clearTimeout(timer);
    var q = input.value;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    active = -1;
    input.removeAttribute("aria-activedescendant");
    results = [];
    shown = 0;
    if (!q.trim()) { open(false); say(""); return; }
    if (!window.RMM_SEARCH) { pending = true; load(); return; }
    if (!ix) { var p0 = Date.now(); prepare(); list.setAttribute("data-prepare-ms", Date.now() - p0); }
    var t0 = Date.now();
    results = search(q);
    cost = Date.now() - t0;
    show(PAGE);
    list.setAttribute("data-query", q);
    list.setAttribute("data-ms", cost);
    var none = document.getElementById("rmm-none");
    if (none) { none.hidden = results.length > 0; }
    open(true);
  }

  function options() { return list.querySelectorAll("[role=option]"); }

  function setActive(i) {
    var opts = options();
    if (active >= 0 && opts[active]) { opts[active].setAttribute("aria-selected", "false"); opts[active].classList.remove("sel"); }
    active = i;
    if (i < 0 || !opts[i]) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
    opts[i].setAttribute("aria-selected", "true");
    opts[i].classList.add("sel");
    input.setAttribute("aria-activedescendant", opts[i].id);
    opts[i].scrollIntoView({ block: "nearest" });
  }

  function move(d) {
    var n = options().length;
    if (panel.hidden) { if (input.value.trim()) { open(true); } return; }
    if (!n) { return; }
    setActive(active < 0 ? (d > 0 ? 0 : n - 1) : (active + d + n) % n);
  }

  function go(a) {
    open(false);
    window.location.href = a.href;
  }

  input.addEventListener("focus", load);
  // On a large library a search takes a while: the box then waits for a
  // pause in the typing.
  var cost = 0, timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    if (cost < 40 || !input.value.trim()) { run(); } else { timer = setTimeout(run, 150); }
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { move(1); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { move(-1); ev.preventDefault(); }
    else if (ev.key === "Enter") {
      var opts = options(), a = opts[active >= 0 ? active : 0];
      if (a && !panel.hidden) { go(a); ev.preventDefault(); }
    } else if (ev.key === "Escape") {
      if (!panel.hidden) { open(false); } else { input.value = ""; run(); }
      ev.preventDefault();
    }
  });
  list.addEventListener("mousedown", function (ev) { ev.preventDefault(); }); // keep the focus in the box
  list.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("[role=option]") : null;
    if (a && !(ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button)) { ev.preventDefault(); go(a); }
  });
  if (more) {
    more.addEventListener("click", function () {
      var first = shown;
      show(shown + PAGE);
      input.focus();
      setActive(first);
    });
  }
  document.addEventListener("click", function (ev) {
    if (!panel.contains(ev.target) && ev.target !== input) { open(false); }
  });
  document.addEventListener("keydown", function (ev) {
    var t = document.activeElement, editing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (ev.key === "/" && !editing) { input.focus(); ev.preventDefault(); }
  });
})();
