// The document register's table (register.html): sort by a column (click
// its header; again to reverse; aria-sort says which) and filter (any text,
// kind, status). No network, no inline script or style: it works from
// file:// under the site's Content-Security-Policy.
(function () {
  "use strict";
  var table = document.getElementById("register");
  var form = document.getElementById("register-filter");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById("register-q");
  var kind = document.getElementById("register-kind");
  var status = document.getElementById("register-status");
  var count = document.getElementById("register-count");
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var text = rows.map(function (r) { return r.textContent.toLowerCase(); });

  heads.forEach(function (th, col) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "sort";
    b.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(b);
    th.setAttribute("aria-sort", "none");
    b.addEventListener("click", function () { sort(col); });
  });

  function cell(r, col) { return r.cells[col] ? r.cells[col].textContent.trim() : ""; }

  function sort(col) {
    var th = heads[col];
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", dir);
    var order = rows.map(function (r, i) { return i; });
    order.sort(function (a, b) {
      var x = cell(rows[a], col), y = cell(rows[b], col);
      // Empty cells last, whichever the direction.
      if ((x === "") !== (y === "")) { return x === "" ? 1 : -1; }
      var c = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      if (c === 0) { c = a - b; } else if (dir === "descending") { c = -c; }
      return c;
    });
    var sorted = [], sortedText = [];
    order.forEach(function (i) { sorted.push(rows[i]); sortedText.push(text[i]); body.appendChild(rows[i]); });
    rows = sorted;
    text = sortedText;
  }

  function filter() {
    var words = q.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
    var k = kind.value, s = status.value, shown = 0;
    rows.forEach(function (r, i) {
      var ok = (!k || r.getAttribute("data-kind") === k) && (!s || r.getAttribute("data-status") === s);
      for (var j = 0; ok && j < words.length; j++) { ok = text[i].indexOf(words[j]) >= 0; }
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + " of " + rows.length + " documents";
  }

  q.addEventListener("input", filter);
  kind.addEventListener("change", filter);
  status.addEventListener("change", filter);
  form.hidden = false;
  filter();
})();
