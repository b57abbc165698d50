// PostGuard reviewer console: keyboard shortcuts. Every form also works without JavaScript.
// Queue: j/k move, Enter opens, a/e/r/x open the post at that action.
// Post: a approves as written, e edits, r focuses the reject note, x the escalate note.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function rows() {
    return Array.prototype.slice.call(
      document.querySelectorAll('[data-testid="queue-row"], [data-testid="missed-row"]'));
  }

  function select(list, index) {
    list.forEach(function (r) { r.classList.remove("selected"); });
    var row = list[index];
    if (!row) { return; }
    row.classList.add("selected");
    var link = row.querySelector("a.open");
    if (link) { link.focus(); }
  }

  function queueKeys(event) {
    var list = rows();
    if (!list.length) { return; }
    var current = list.findIndex(function (r) { return r.classList.contains("selected"); });
    var key = event.key;
    if (key === "j") { select(list, Math.min(current + 1, list.length - 1)); }
    else if (key === "k") { select(list, Math.max(current - 1, 0)); }
    else if (key === "Enter" && current >= 0) { window.location = list[current].dataset.href; }
    else if ("aerx".indexOf(key) >= 0 && key.length === 1) {
      var row = list[Math.max(current, 0)];
      window.location = row.dataset.href + "#" + { a: "approve", e: "edit", r: "reject", x: "escalate" }[key];
    } else { return; }
    event.preventDefault();
  }

  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); if (el.select && id === "edited-text") { el.setSelectionRange(0, 0); } }
    return el;
  }

  var targets = { e: "edited-text", r: "reject-note", x: "escalate-note" };

  function postKeys(event) {
    var key = event.key;
    if (key === "a") {
      var approve = document.getElementById("approve");
      if (approve) { approve.click(); }
    } else if (targets[key]) {
      focus(targets[key]);
    } else { return; }
    event.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.dataset.page;
    if (page === "post") {
      var hash = window.location.hash.slice(1);
      var ids = { approve: "approve", edit: "edited-text", reject: "reject-note", escalate: "escalate-note" };
      if (ids[hash]) { focus(ids[hash]); }
    }
    if (page === "queue") {
      var list = rows();
      list.forEach(function (row, i) {
        row.addEventListener("click", function (e) {
          if (e.target.tagName !== "A") { select(list, i); }
        });
      });
    }
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.altKey || event.ctrlKey || event.metaKey) { return; }
      if (page === "queue") { queueKeys(event); }
      else if (page === "post") { postKeys(event); }
    });
  });
})();
