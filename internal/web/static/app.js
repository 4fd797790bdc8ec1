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

// Inline editing of list cells: double-click a cell (or press "e" on it),
// Enter saves through the API with the row's version, Esc cancels. Errors
// show under the cell and keep what was typed.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  function edit(td) {
    if (td.querySelector("input")) { return; }
    var tr = td.closest("tr"), table = td.closest("table");
    var original = td.innerHTML;
    var input = document.createElement("input");
    input.value = td.getAttribute("data-value") || "";
    input.setAttribute("aria-label", "Edit " + td.getAttribute("data-field"));
    input.className = "cell-input";
    // No form owner: Enter must not submit the list's bulk form around it.
    input.setAttribute("form", "no-form");
    td.innerHTML = "";
    td.appendChild(input);
    input.focus();
    input.select();
    function cancel() { td.innerHTML = original; td.focus(); }
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); cancel(); return; }
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      var kind = td.getAttribute("data-kind"), field = td.getAttribute("data-field"), raw = input.value.trim();
      var value = raw === "" ? null : raw;
      if (value !== null && (kind === "integer" || kind === "number")) { value = Number(raw); }
      var body = {};
      body[field] = value;
      fetch("/api/v1/" + table.getAttribute("data-object") + "/" + tr.getAttribute("data-id"), {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : "", "If-Match": tr.getAttribute("data-version") },
        body: JSON.stringify(body)
      }).then(function (resp) {
        return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
      }).then(function (r) {
        var old = td.querySelector(".field-error");
        if (old) { old.remove(); }
        if (!r.ok) {
          var msg = document.createElement("span");
          msg.className = "field-error";
          msg.setAttribute("role", "alert");
          msg.textContent = (r.data.errors && r.data.errors.length ? r.data.errors[0].message : r.data.detail) || "Not saved";
          td.appendChild(msg);
          return;
        }
        var v = r.data[field];
        tr.setAttribute("data-version", r.data.version);
        td.setAttribute("data-value", v === null || v === undefined ? "" : String(v));
        td.textContent = v === null || v === undefined ? "" : String(v);
        td.focus();
      });
    });
  }
  document.addEventListener("dblclick", function (e) {
    var td = e.target.closest && e.target.closest("td[data-field]");
    if (td) { edit(td); }
  });
  document.addEventListener("keydown", function (e) {
    var td = document.activeElement;
    if (e.key === "e" && td && td.matches && td.matches("td[data-field]")) { e.preventDefault(); edit(td); }
  });
})();
