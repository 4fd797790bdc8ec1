// Rapport's keyboard shortcuts. Everything works without this file; it only
// saves keystrokes: "/" or Ctrl-K (⌘K) focuses the search box, "c" opens the
// page's New form, in a list "j"/"k" move between rows (Enter opens one), and
// "?" shows them all.
// The search box searches as one types (see below).
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
    if (e.key === "?") {
      var help = document.getElementById("shortcuts");
      if (help && help.showModal && !help.open) { e.preventDefault(); help.showModal(); }
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
    var th = table.querySelectorAll("thead th")[td.cellIndex];
    input.setAttribute("aria-label", (table.getAttribute("data-msg-edit") || "Edit %s").replace("%s", th ? th.textContent.trim() : td.getAttribute("data-field")));
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
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : "", "If-Match": tr.getAttribute("data-version"),
          "Accept-Language": document.documentElement.lang || "en" },
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
          msg.textContent = (r.data.errors && r.data.errors.length ? r.data.errors[0].message : r.data.detail) || table.getAttribute("data-msg-unsaved") || "Not saved";
          td.appendChild(msg);
          return;
        }
        var v = r.data[field];
        tr.setAttribute("data-version", r.data.version);
        td.setAttribute("data-value", v === null || v === undefined ? "" : String(v));
        td.textContent = v === null || v === undefined ? "" : show(kind, v);
        td.focus();
      });
    });
  }
  // show writes a saved value as the server would, in the page's language.
  function show(kind, v) {
    var lang = document.documentElement.lang || "en";
    if (kind === "integer" || kind === "number") { return new Intl.NumberFormat(lang).format(Number(v)); }
    if (kind === "money") { return new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(Number(v)); }
    if (kind === "date") {
      var p = String(v).split("-");
      return lang === "de" ? p[2] + "." + p[1] + "." + p[0] : new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])).toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    }
    return String(v);
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

// Search as you type: the shell's search box asks the server for the hits
// and commands matching what was typed (/search?partial=1, HTML made by the
// same template as the search page) and shows them below itself. Down and
// Up move through them, Enter opens one, Esc closes; Enter in the box still
// opens the full search page.
(function () {
  "use strict";
  var input = document.getElementById("global-search");
  var popup = document.getElementById("search-popup");
  if (!input || !popup) { return; }
  var timer = 0, asked = "", pending = null;
  function close() { popup.hidden = true; popup.innerHTML = ""; asked = ""; }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q === "") { close(); return; }
    timer = setTimeout(function () {
      if (q === asked) { return; }
      asked = q;
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch("/search?partial=1&q=" + encodeURIComponent(q), { credentials: "same-origin", signal: pending.signal })
        .then(function (resp) { return resp.ok ? resp.text() : ""; })
        .then(function (html) {
          if (input.value.trim() !== q) { return; }
          popup.innerHTML = html; // server-rendered, every value escaped
          popup.hidden = html === "";
        })
        .catch(function () {});
    }, 120);
  });
  function links() { return Array.prototype.slice.call(popup.querySelectorAll("a")); }
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && !popup.hidden && links().length) { e.preventDefault(); links()[0].focus(); }
    if (e.key === "Escape" && !popup.hidden) { e.preventDefault(); close(); }
  });
  popup.addEventListener("keydown", function (e) {
    var all = links(), i = all.indexOf(document.activeElement);
    if (e.key === "ArrowDown") { e.preventDefault(); if (i < all.length - 1) { all[i + 1].focus(); } }
    if (e.key === "ArrowUp") { e.preventDefault(); if (i > 0) { all[i - 1].focus(); } else { input.focus(); } }
    if (e.key === "Escape") { e.preventDefault(); close(); input.focus(); }
  });
  document.addEventListener("click", function (e) {
    if (!popup.hidden && !input.form.contains(e.target)) { close(); }
  });
})();

// The kanban board: drag a deal's card to another column to move it. The
// card moves at once, and its own move form (the keyboard's way, which
// works without this script) is sent, so the board comes back from the
// server with the counts and sums after the move. A lost stage asks for
// the reason first; cancelling leaves the deal where it was.
(function () {
  var board = document.querySelector(".board");
  if (!board) { return; }
  var dragged = null;
  board.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".deal-card");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    Array.prototype.forEach.call(board.querySelectorAll(".drop-target"), function (c) { c.classList.remove("drop-target"); });
  });
  function column(e) { return e.target.closest && e.target.closest(".column"); }
  board.addEventListener("dragover", function (e) {
    var col = column(e);
    if (!col || !dragged) { return; }
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    if (!col.classList.contains("drop-target")) {
      Array.prototype.forEach.call(board.querySelectorAll(".drop-target"), function (c) { c.classList.remove("drop-target"); });
      col.classList.add("drop-target");
    }
  });
  board.addEventListener("drop", function (e) {
    var col = column(e);
    if (!col || !dragged) { return; }
    e.preventDefault();
    col.classList.remove("drop-target");
    var card = dragged, form = card.querySelector("form");
    dragged = null;
    if (!form || card.closest(".column") === col) { return; }
    if (col.dataset.kind === "lost") {
      var reason = window.prompt(board.dataset.lostPrompt || "Why was it lost?");
      if (!reason) { return; }
      form.elements.lost_reason.value = reason;
    }
    form.elements.stage_id.value = col.dataset.stage;
    col.querySelector(".cards").appendChild(card);
    form.submit();
  });
})();

// A ticket's page: "r" starts a reply, "n" an internal note, "s" solves the
// ticket, Ctrl-Enter (⌘-Enter) in the message sends it. Every 20 seconds,
// and as soon as a reply is begun, the page tells the server that the
// ticket is open here (and whether a reply is being written) and shows the
// other agents who have it open: the collision notice.
(function () {
  "use strict";
  var form = document.getElementById("answer");
  if (!form) { return; }
  var body = form.querySelector("textarea[name=body]");
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && document.activeElement === body) {
      e.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (typing(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "r" || e.key === "n") {
      e.preventDefault();
      form.querySelector("input[name=kind][value=" + (e.key === "r" ? "reply" : "note") + "]").checked = true;
      body.focus();
      return;
    }
    if (e.key === "s") {
      var solve = document.getElementById("solve");
      if (solve) { e.preventDefault(); solve.submit(); }
    }
  });
  var viewers = document.getElementById("viewers");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var replying = false;
  function beat() {
    replying = body.value.trim() !== "";
    fetch("/api/v1/tickets/" + viewers.getAttribute("data-ticket") + "/viewers", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : "" },
      body: JSON.stringify({ replying: replying })
    }).then(function (resp) {
      return resp.ok ? resp.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      var parts = data.data.map(function (v) {
        return viewers.getAttribute(v.replying ? "data-msg-replying" : "data-msg-viewing").replace("%s", v.name);
      });
      viewers.textContent = parts.join(" · ");
      viewers.hidden = parts.length === 0;
    }).catch(function () {});
  }
  body.addEventListener("input", function () {
    if ((body.value.trim() !== "") !== replying) { beat(); }
  });
  window.setInterval(beat, 20000);
})();

// A select marked data-autosubmit sends its form when it changes (a
// dashboard's period, the report builder's object); without script the
// form's own button does.
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
})();
