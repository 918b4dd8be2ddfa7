// rmm site navigation: the menu button of small screens and the contents
// box that marks the section being read. No inline script: the site's
// Content-Security-Policy loads only its own files. Without JavaScript the
// menu button stays hidden and the navigation stays in the header.
(function () {
  "use strict";
  var button = document.getElementById("rmm-menu-button");
  var menu = document.getElementById("rmm-menu");
  if (button && menu) {
    document.documentElement.classList.add("rmm-js");
    button.hidden = false;
    var setOpen = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    };
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
    menu.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a")) {
        setOpen(false);
      }
    });
  }

  // The contents box: the link of the section at the top of the window is
  // marked (aria-current) as the reader scrolls.
  var toc = document.querySelector("nav.toc");
  if (!toc || !("IntersectionObserver" in window)) {
    return;
  }
  var links = {};
  var order = [];
  toc.querySelectorAll("a[href^='#']").forEach(function (a) {
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    var el = document.getElementById(id);
    if (el) {
      links[id] = a;
      order.push(el);
    }
  });
  if (order.length === 0) {
    return;
  }
  // The section being read is the last one whose top has passed the
  // reading line, just below the sticky header; at the end of the page,
  // where the last sections cannot reach the line, the last one in view.
  var LINE = 120;
  var current = null;
  var mark = function () {
    var pick = order[0];
    for (var i = 0; i < order.length; i++) {
      if (order[i].getBoundingClientRect().top <= LINE) {
        pick = order[i];
      }
    }
    var doc = document.documentElement;
    if (window.scrollY > 0 && window.innerHeight + window.scrollY >= doc.scrollHeight - 2 && location.hash) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && links[target.id] && target.getBoundingClientRect().top < window.innerHeight) {
        pick = target;
      }
    }
    if (pick === current) {
      return;
    }
    if (current) {
      links[current.id].removeAttribute("aria-current");
    }
    current = pick;
    links[pick.id].setAttribute("aria-current", "true");
  };
  // Each section crossing the reading line tells the observer to look.
  var io = new IntersectionObserver(mark, {
    rootMargin: "0px 0px -" + Math.max(0, window.innerHeight - LINE) + "px 0px"
  });
  order.forEach(function (el) {
    io.observe(el);
  });
  window.addEventListener("hashchange", mark);
  mark();
})();
