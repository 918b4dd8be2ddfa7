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
  var visible = {};
  var current = null;
  var mark = function () {
    // The first section whose heading is in view, else the last one
    // scrolled past.
    var pick = null;
    for (var i = 0; i < order.length; i++) {
      if (visible[order[i].id]) {
        pick = order[i];
        break;
      }
    }
    if (!pick) {
      for (var j = order.length - 1; j >= 0; j--) {
        if (order[j].getBoundingClientRect().top < 0) {
          pick = order[j];
          break;
        }
      }
    }
    if (!pick) {
      pick = order[0];
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
  var io = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      visible[e.target.id] = e.isIntersecting;
    });
    mark();
  }, { rootMargin: "-60px 0px -55% 0px" });
  order.forEach(function (el) {
    io.observe(el);
  });
})();
