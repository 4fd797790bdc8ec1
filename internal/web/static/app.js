// Rapport's keyboard shortcuts. Everything works without this file; it only
// saves keystrokes: "/" or Ctrl-K (⌘K) focuses the search box, "c" opens the
// page's New form, and in a list "j"/"k" move between rows (Enter opens one).
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  document.addEventListener("keydown", function (e) {
    var search = document.getElementById("global-search");
    if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
      if (search) { e.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (typing(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    if (e.key === "/" && search) {
      e.preventDefault();
      search.focus();
      return;
    }
    if (e.key === "c") {
      var create = document.querySelector(".topbar a.button[href$='/new']");
      if (create) { e.preventDefault(); window.location.href = create.getAttribute("href"); }
      return;
    }
    if (e.key === "j" || e.key === "k") {
      var links = Array.prototype.slice.call(document.querySelectorAll("table.records tbody th a"));
      if (!links.length) { return; }
      e.preventDefault();
      var i = links.indexOf(document.activeElement);
      i = e.key === "j" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
      links[i].focus();
    }
  });
})();
