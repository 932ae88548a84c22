// Small, same-origin enhancements on top of htmx. Everything here is optional: every page and
// action works without JavaScript. No inline code anywhere (the CSP forbids it).
(function () {
  "use strict";

  var REGION = "task-region";

  function region() {
    return document.getElementById(REGION);
  }

  // Loading state: mark the region busy while any request that will change it is in flight.
  // (htmx adds .htmx-request to the indicator and disables hx-disabled-elt by itself.)
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var r = region();
    if (r && (evt.detail.target === r || r.contains(evt.detail.target) || evt.detail.elt.closest("[data-refreshes-region]"))) {
      r.setAttribute("aria-busy", "true");
      r.classList.add("is-loading");
    }
  });
  document.addEventListener("htmx:afterRequest", function () {
    var r = region();
    if (r) {
      r.removeAttribute("aria-busy");
      r.classList.remove("is-loading");
    }
  });

  // Network failure or time-out: there is no response to swap, so show the page's own error
  // template in the table region, with a "Try again" that repeats the very same request.
  function showNetworkError(evt) {
    var r = region();
    var tpl = document.getElementById("network-error-template");
    if (!r || !tpl) {
      announce("The connection failed. Check your network and try again.");
      return;
    }
    var cfg = evt.detail.requestConfig || {};
    var fragment = tpl.content.cloneNode(true);
    var button = fragment.querySelector("[data-retry]");
    if (button) {
      button.addEventListener("click", function (e) {
        e.preventDefault();
        var verb = (cfg.verb || "get").toLowerCase();
        var target = cfg.target && document.body.contains(cfg.target) ? cfg.target : region();
        var options = { target: target, source: cfg.elt && document.body.contains(cfg.elt) ? cfg.elt : undefined };
        if (verb !== "get") options.values = cfg.parameters;
        htmx.ajax(verb, cfg.path || window.location.pathname + window.location.search, options);
      });
    }
    r.replaceChildren(fragment);
    r.removeAttribute("aria-busy");
    var focusable = r.querySelector("[data-retry]");
    if (focusable) focusable.focus();
  }
  document.addEventListener("htmx:sendError", showNetworkError);
  document.addEventListener("htmx:timeout", showNetworkError);

  function announce(text) {
    var a = document.getElementById("announcer");
    if (a) a.textContent = text;
  }

  // Select-all for the bulk checkboxes (without JS, each box is ticked by hand).
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t && t.matches && t.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=ids][form=bulk-form]").forEach(function (box) {
        box.checked = t.checked;
      });
    }
    updateBulkBar();
  });
  function updateBulkBar() {
    var count = document.querySelectorAll("input[name=ids][form=bulk-form]:checked").length;
    var label = document.getElementById("bulk-count");
    if (label) label.textContent = count === 1 ? "1 selected" : count + " selected";
  }
  document.addEventListener("htmx:afterSettle", updateBulkBar);

  // Escape cancels an inline edit.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var form = evt.target && evt.target.closest && evt.target.closest("[data-inline-edit]");
    var cancel = form && form.querySelector("[data-cancel-edit]");
    if (cancel) cancel.click();
  });
})();
