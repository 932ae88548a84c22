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

  // Focus stays put. A swap replaces the control that was used, and focus would fall to
  // <body>; so before a request note where it should land once the answer is in: the same
  // control in the new markup, the edit field when editing opens, the row's title after a
  // save, a neighbour after a delete, the first row after paging. It only moves if it was
  // lost: a user who has moved on in the meantime keeps their place.
  var focusPlan = null;

  // A row is known by its id (task-42) and a row's action by its URL (the toggle's
  // formaction, the Edit and Delete links' href), so rows carry no hooks of their own.
  var ROW = 'tr[id^="task-"]';
  var TOGGLE = 'button[formaction$="/toggle"]';
  function taskRow(el) {
    return el && el.closest ? el.closest(ROW) : null;
  }
  function actionOf(el) {
    var url = el && el.getAttribute ? el.getAttribute("formaction") || el.getAttribute("href") || "" : "";
    var m = /^\/tasks\/\d+\/(toggle|edit|delete)(?:[?#]|$)/.exec(url);
    return m ? m[1] : null;
  }
  function siblingRow(row, forward) {
    var next = row;
    do {
      next = forward ? next.nextElementSibling : next.previousElementSibling;
    } while (next && !next.matches(ROW));
    return next;
  }
  function planFocus(elt, submitter, active) {
    var row = taskRow(elt) || taskRow(active);
    var inRow = function (sel) {
      return row ? "#" + row.id + " " + sel : null;
    };
    var used = submitter || elt;
    var action = actionOf(used);
    var targets = [];
    if (elt.matches("[data-inline-edit]") || elt.matches("[data-cancel-edit]")) targets.push(inRow(".task-title"));
    else if (action === "edit") targets.push(inRow("[data-inline-edit] [name=title]"));
    else if (action === "toggle") targets.push(inRow(TOGGLE));
    else if (elt.matches("a[data-sort]")) targets.push('#task-region a[data-sort="' + elt.getAttribute("data-sort") + '"]');
    else if (elt.closest("nav[aria-label=Pagination]")) targets.push("#task-region " + ROW + " .task-title");
    else if (used && used.closest && used.closest("#bulk-form") && used.value) targets.push('#bulk-form button[value="' + used.value + '"]');
    else if (active && active.id) targets.push("#" + active.id);
    if (row) {
      [siblingRow(row, true), siblingRow(row, false)].forEach(function (r) {
        if (r) targets.push("#" + r.id + " .task-title");
      });
    }
    targets.push("#new-title");
    return { active: active, targets: targets };
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var cfg = evt.detail.requestConfig || {};
    var submitter = cfg.triggeringEvent && cfg.triggeringEvent.submitter;
    focusPlan = planFocus(evt.detail.elt, submitter, document.activeElement);
  });
  document.addEventListener("htmx:afterSettle", function () {
    var plan = focusPlan;
    if (!plan) return;
    // After every swap of this answer (main and out-of-band) has settled.
    setTimeout(function () {
      if (focusPlan !== plan) return;
      focusPlan = null;
      var now = document.activeElement;
      if (now && now !== document.body && document.contains(now)) return;
      for (var i = 0; i < plan.targets.length; i++) {
        var target = plan.targets[i] && document.querySelector(plan.targets[i]);
        if (target && target.getClientRects().length) {
          target.focus();
          return;
        }
      }
    }, 0);
  });

  // A search typed with pauses is one history entry: the first answer pushes it, the rest
  // replace it, until the search is submitted (Enter) or left (blur). Filters and paging push
  // an entry each, as links do.
  var searching = false;
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var box = evt.detail.elt;
    if (!box || box.id !== "q") return;
    var cfg = evt.detail.requestConfig || {};
    var typing = !!cfg.triggeringEvent && cfg.triggeringEvent.type === "input";
    // (The filter form around the box keeps its own hx-push-url to itself: hx-disinherit.)
    box.setAttribute(searching ? "hx-replace-url" : "hx-push-url", "true");
    box.removeAttribute(searching ? "hx-push-url" : "hx-replace-url");
    searching = typing;
  });
  document.addEventListener("focusout", function (evt) {
    if (evt.target && evt.target.id === "q") searching = false;
  });

  // The address bar shows the view's own URL (Content-Location), not the filter form's
  // every-field query.
  document.addEventListener("htmx:beforeHistoryUpdate", function (evt) {
    var xhr = evt.detail.xhr;
    var canonical = xhr && xhr.getResponseHeader("Content-Location");
    if (canonical && canonical.charAt(0) === "/" && evt.detail.history) evt.detail.history.path = canonical;
  });

  // The narrow screens' sort select follows the order the table was sorted in (by a column
  // header, or Back), so the filter form always sends the order on screen.
  document.addEventListener("htmx:afterSettle", function () {
    var table = document.querySelector("#task-region [data-order]");
    var select = document.getElementById("order");
    if (table && select && select.value !== table.getAttribute("data-order")) {
      select.value = table.getAttribute("data-order");
    }
  });

  // No usable answer: a network failure, a time-out, or a 5xx from something in front of the
  // app (a proxy's "Bad Gateway" page) rather than the app's own error fragment. Show the
  // page's error template in the table region, with a "Try again" that repeats the very same
  // request.
  function showError(evt, title, reference) {
    var r = region();
    var tpl = document.getElementById("network-error-template");
    if (!r || !tpl) {
      announce(title + " Please try again.");
      return;
    }
    var cfg = evt.detail.requestConfig || {};
    var fragment = tpl.content.cloneNode(true);
    var heading = fragment.querySelector(".state-title");
    if (heading) heading.textContent = title;
    var ref = fragment.querySelector("code");
    if (ref) ref.textContent = reference;
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
    r.classList.remove("is-loading");
    var focusable = r.querySelector("[data-retry]");
    if (focusable) focusable.focus();
  }
  document.addEventListener("htmx:sendError", function (evt) {
    showError(evt, "We couldn't reach the server", "network");
  });
  document.addEventListener("htmx:timeout", function (evt) {
    showError(evt, "The server took too long to answer", "timeout");
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status >= 500 && (xhr.responseText || "").indexOf("data-error-state") === -1) {
      evt.detail.shouldSwap = false;
      showError(evt, "Something went wrong on the way to the server", "HTTP " + xhr.status);
    }
  });

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

  // A filter chip clears its field in the filter form and lets the form ask for the table,
  // so the form and the table agree. Without JS (or without the form) it is a plain link to
  // the same view minus that filter.
  document.addEventListener("click", function (evt) {
    var chip = evt.target.closest && evt.target.closest("a[data-clear-filter]");
    var form = document.getElementById("filters");
    var name = chip && chip.getAttribute("data-clear-filter");
    var field = name && form && form.elements[name];
    if (!field || !window.htmx) return;
    // A tag chip clears its own box among the tag picker's.
    if (name === "tag") {
      var value = chip.getAttribute("data-clear-value");
      field = Array.prototype.filter.call(form.querySelectorAll("input[name=tag]"), function (box) {
        return box.value === value;
      })[0];
      if (!field) return;
      evt.preventDefault();
      field.checked = false;
      htmx.trigger(form, "change");
      return;
    }
    evt.preventDefault();
    field.value = field.tagName === "SELECT" ? field.options[0].value : "";
    htmx.trigger(form, "change");
  });

  // A row's "…" menu and the tag picker close on a click elsewhere, like any menu.
  var MENUS = ".task-rows details[open], .tag-picker[open]";
  document.addEventListener("click", function (evt) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (!menu.contains(evt.target)) menu.removeAttribute("open");
    });
  });

  // Escape closes an open menu (focus back on its button), or cancels an inline edit.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var menu = evt.target && evt.target.closest && evt.target.closest(MENUS);
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
      return;
    }
    var form = evt.target && evt.target.closest && evt.target.closest("[data-inline-edit]");
    var cancel = form && form.querySelector("[data-cancel-edit]");
    if (cancel) cancel.click();
  });

  // The bulk bar's "Select all" follows the row boxes: ticked when all are, mixed when some
  // are. Any change of selection clears the bar's "select a task first" message.
  function rowBoxes() {
    return document.querySelectorAll("input[name=ids][form=bulk-form]");
  }
  function syncSelectAll() {
    var all = document.querySelector("#bulk-form [data-select-all]");
    if (!all) return;
    var boxes = rowBoxes();
    var ticked = document.querySelectorAll("input[name=ids][form=bulk-form]:checked").length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  function bulkMessage(text) {
    var m = document.getElementById("bulk-message");
    if (m) m.textContent = text;
  }
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t && t.matches && t.matches("input[name=ids][form=bulk-form], [data-select-all]")) {
      syncSelectAll();
      bulkMessage("");
    }
  });
  document.addEventListener("htmx:afterSettle", syncSelectAll);
  syncSelectAll();

  // A bulk action with nothing selected says so beside the bar and sends nothing; a bulk
  // delete asks with the number of tasks it will delete.
  document.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail.elt;
    var form = elt && (elt.id === "bulk-form" ? elt : elt.form);
    if (!form || form.id !== "bulk-form") return;
    var count = document.querySelectorAll("input[name=ids][form=bulk-form]:checked").length;
    if (count === 0) {
      evt.preventDefault();
      bulkMessage("Nothing changed: select at least one task first.");
      return;
    }
    bulkMessage("");
    if (!evt.detail.question) return;
    evt.preventDefault();
    var what = count === 1 ? "1 selected task" : count + " selected tasks";
    if (window.confirm("Delete " + what + "? You can undo this right after.")) evt.detail.issueRequest(true);
  });

  // A row's Edit and Delete are plain links (to the edit page and the delete confirmation
  // page), so rows carry no hx-* attributes. With JavaScript, Edit opens the inline editor in
  // place of the row, and Delete asks here and posts the region's #row-form fields (CSRF
  // token, view) to the task's delete action. A link already on its way is not sent twice.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("#task-region a[href]");
    var row = taskRow(link);
    var action = actionOf(link);
    if (!row || !window.htmx || (action !== "edit" && action !== "delete")) return;
    if (evt.button !== 0 || evt.ctrlKey || evt.metaKey || evt.shiftKey || evt.altKey) return;
    evt.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") return;
    var id = row.id.slice("task-".length);
    if (action === "edit") {
      htmx.ajax("GET", link.getAttribute("href"), { source: link, target: row, swap: "outerHTML" });
      return;
    }
    var title = row.querySelector(".task-title");
    if (!window.confirm("Delete “" + (title ? title.textContent : "this task") + "”? You can undo this right after.")) return;
    var fields = document.getElementById("row-form");
    link.setAttribute("aria-disabled", "true");
    htmx.ajax("POST", "/tasks/" + id + "/delete", {
      source: link,
      values: fields ? { csrf_token: fields.elements.csrf_token.value, view: fields.elements.view.value } : {}
    }).finally(function () {
      link.removeAttribute("aria-disabled");
    });
  });

  // A row's toggle is disabled while its change is on its way (the form drops a second one).
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var cfg = evt.detail.requestConfig || {};
    var submitter = cfg.triggeringEvent && cfg.triggeringEvent.submitter;
    if (submitter && submitter.matches(TOGGLE)) submitter.disabled = true;
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var cfg = evt.detail.requestConfig || {};
    var submitter = cfg.triggeringEvent && cfg.triggeringEvent.submitter;
    if (submitter && submitter.matches(TOGGLE)) submitter.disabled = false;
  });

  // "Discard" in an inline editor whose task was deleted elsewhere just takes the row away
  // (other open editors stay as they are); without JS it is a link back to the list.
  document.addEventListener("click", function (evt) {
    var discard = evt.target.closest && evt.target.closest("a[data-discard-row]");
    var tr = discard && discard.closest("tr");
    if (!tr) return;
    evt.preventDefault();
    var next = tr.nextElementSibling || tr.previousElementSibling;
    tr.remove();
    announce("Discarded.");
    var focusable = next && next.querySelector("a, button, input");
    if (focusable) focusable.focus();
  });

  // ---------------------------------------------------------------- keyboard shortcuts
  // Issue 20: single keys on the dashboard, listed in the "?" dialog (partials/shortcuts.html).
  // n or c: quick add; /: search; j / k: next / previous task row; x: select it; Enter or e:
  // edit it; Space: done / reopen; # or Delete: delete it (the usual confirmation); Escape:
  // cancel or leave the row; ?: the list. Each one only does what a click on the row's own
  // control does, so nothing here works differently from the mouse or from Tab.
  // Keys are left alone while typing in a field, with Ctrl, Alt or Meta held (screen
  // readers' and browsers' keys), and while a dialog is open. Enter and Space act only when
  // the row itself has focus, never a control in it (there they click it, as usual).
  var SHORTCUTS = "shortcuts";
  function typingIn(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset|image|file|range|color)$/.test(el.type);
  }
  function visibleRows() {
    var r = region();
    if (!r) return [];
    return Array.prototype.filter.call(r.querySelectorAll(ROW), function (row) {
      return row.getClientRects().length > 0;
    });
  }
  function focusRow(row) {
    if (!row) return;
    row.setAttribute("tabindex", "-1");
    row.focus();
  }
  function rowLink(row, action) {
    return Array.prototype.filter.call(row.querySelectorAll("a[href]"), function (a) {
      return actionOf(a) === action;
    })[0];
  }
  function shortcutsDialog() {
    return document.getElementById(SHORTCUTS);
  }
  var shortcutsReturn = null;
  function openShortcuts() {
    var dialog = shortcutsDialog();
    if (!dialog || dialog.open || !dialog.showModal) return;
    shortcutsReturn = document.activeElement;
    dialog.showModal();
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.defaultPrevented || evt.ctrlKey || evt.altKey || evt.metaKey || evt.isComposing) return;
    if (!region() || document.querySelector("dialog[open]")) return;
    var active = document.activeElement;
    if (typingIn(active)) return;
    var key = evt.key;
    var row = taskRow(active);
    var onRow = !!row && active === row;
    var editing = !!row && row.matches(".editing");
    if (evt.repeat && key !== "j" && key !== "k") return;
    var done = true;
    if (key === "?") {
      openShortcuts();
    } else if (key === "n" || key === "c") {
      var title = document.getElementById("new-title");
      if (title) title.focus();
      else done = false;
    } else if (key === "/") {
      var q = document.getElementById("q");
      if (q) q.focus();
      else done = false;
    } else if (key === "j" || key === "k") {
      var rows = visibleRows();
      var at = rows.indexOf(row);
      if (at === -1) focusRow(rows[0]);
      else focusRow(rows[key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0)]);
    } else if (key === "u") {
      var undo = document.querySelector("#toast [data-undo]");
      if (undo) undo.click();
      else done = false;
    } else if (key === "Escape") {
      // (Escape inside an open menu or an inline editor is handled above.)
      if (editing && !(evt.target.closest && evt.target.closest("[data-inline-edit]"))) {
        var cancel = row.querySelector("[data-cancel-edit]");
        if (cancel) cancel.click();
      } else if (onRow) {
        row.blur();
      }
      done = false;
    } else if (!row) {
      done = false;
    } else if (editing) {
      // A row already open for editing: Enter or e goes into its title field.
      var field = (key === "Enter" && onRow) || key === "e" ? row.querySelector("[data-inline-edit] [name=title]") : null;
      if (field) field.focus();
      else done = false;
    } else if (key === "x") {
      var box = row.querySelector("input[name=ids]");
      if (box) box.click();
      else done = false;
    } else if ((key === "Enter" && onRow) || key === "e") {
      var edit = rowLink(row, "edit");
      if (edit) edit.click();
      else done = false;
    } else if (key === " " && onRow) {
      var toggle = row.querySelector(TOGGLE);
      if (toggle && !toggle.disabled) toggle.click();
      else done = !!toggle;
    } else if (key === "#" || key === "Delete") {
      var del = rowLink(row, "delete");
      if (del) del.click();
      else done = false;
    } else {
      done = false;
    }
    if (done) evt.preventDefault();
  });

  // A delete's toast ("Deleted “X”. Undo", swapped in out of band) stays about ten seconds,
  // longer while the pointer or focus is on it, then clears. Its message is announced by
  // the announcer; its Undo is a button in the page (Tab reaches it) and `u` presses it.
  var TOAST_MS = 10000;
  var toastTimer = null;
  function clearToastLater() {
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      var toast = document.getElementById("toast");
      if (!toast) return;
      if (toast.matches(":hover") || toast.contains(document.activeElement)) {
        clearToastLater();
        return;
      }
      toast.replaceChildren();
    }, TOAST_MS);
  }
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var toast = evt.detail.target;
    if (toast && toast.id === "toast" && toast.firstElementChild) clearToastLater();
  });

  // A row that had focus when a request began gets it back once the answer is in (the swap
  // replaced it), or its neighbour does if it left the view: the focus plan above tries
  // these first. Opening an editor still puts focus in the editor.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var active = document.activeElement;
    if (!focusPlan || !active || !active.matches || !active.matches(ROW)) return;
    if (actionOf(evt.detail.elt) === "edit") return;
    var ids = [active, siblingRow(active, true), siblingRow(active, false)].filter(Boolean).map(function (r) {
      return r.id;
    });
    focusPlan.rowIds = ids;
    focusPlan.targets = ids.map(function (id) {
      return "#" + id;
    }).concat(focusPlan.targets);
  });
  // (The new rows have no tabindex yet; this runs before the plan's focus moves.)
  document.addEventListener("htmx:afterSettle", function () {
    var ids = focusPlan && focusPlan.rowIds;
    if (!ids) return;
    ids.forEach(function (id) {
      var row = document.getElementById(id);
      if (row && row.matches(ROW)) row.setAttribute("tabindex", "-1");
    });
  });

  // The "?" dialog: its button (shown only where this script runs) opens it too; a click on
  // the backdrop closes it, as Escape and Close do; focus goes back where it was, or to the
  // row of the same id if a swap replaced that row in the meantime.
  (function () {
    var dialog = shortcutsDialog();
    var hint = document.querySelector("[data-shortcuts-hint]");
    if (!dialog || !dialog.showModal) return;
    if (hint) {
      hint.hidden = false;
      hint.querySelector("button").addEventListener("click", openShortcuts);
    }
    dialog.addEventListener("click", function (evt) {
      if (evt.target !== dialog) return;
      var box = dialog.getBoundingClientRect();
      var inside = evt.clientX >= box.left && evt.clientX <= box.right && evt.clientY >= box.top && evt.clientY <= box.bottom;
      if (!inside) dialog.close();
    });
    dialog.addEventListener("close", function () {
      var back = shortcutsReturn;
      shortcutsReturn = null;
      if (back && !document.contains(back) && back.id) back = document.getElementById(back.id);
      if (!back || !document.contains(back) || back === document.body) return;
      if (back.matches(ROW)) back.setAttribute("tabindex", "-1");
      back.focus();
    });
  })();

  // Live updates: a change made in another tab, on another device or through the API shows
  // here without a reload (GET /tasks/events, Server-Sent Events naming only what changed;
  // the rows themselves come through the normal routes). On the first page of any view the
  // region is fetched again in place; deeper pages, and any moment the user is in the
  // middle of something (an inline edit, ticked rows, focus in the table, a request on its
  // way), get a calm "N changes elsewhere" notice with a Refresh button instead. A hidden
  // tab catches up once it is shown. The account page only listens for its own end: a
  // session revoked elsewhere lands on the sign-in page at once.
  // This page's name for itself: every htmx request says it (X-Tab), and a change it made
  // comes back with it, so the page skips its own changes (their answers already showed
  // them, and announced them).
  var TAB = "t" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-Tab"] = TAB;
  });
  var live = { waiting: 0, leaving: false };
  window.addEventListener("pagehide", function () {
    live.leaving = true;
  });
  window.addEventListener("beforeunload", function () {
    live.leaving = true;
  });

  function liveView() {
    return window.location.pathname + window.location.search;
  }
  function onFirstPage() {
    var params = new URLSearchParams(window.location.search);
    return !params.has("after") && !params.has("before") && !params.has("page");
  }
  function busyHere() {
    var r = region();
    if (!r) return true;
    var active = document.activeElement;
    return !!(r.classList.contains("is-loading") ||
      r.querySelector("[data-inline-edit]") ||
      document.querySelector("input[name=ids][form=bulk-form]:checked") ||
      (active && active !== document.body && r.contains(active)));
  }
  function liveNotice(text) {
    var notice = document.getElementById("live-notice");
    if (!notice) return;
    notice.replaceChildren();
    notice.hidden = !text;
    if (!text) return;
    notice.appendChild(document.createTextNode(text + " "));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-secondary btn-sm";
    button.textContent = "Refresh";
    button.addEventListener("click", function () {
      liveRefresh(false);
    });
    notice.appendChild(button);
  }
  function liveRefresh(quietly) {
    var changes = live.waiting;
    live.waiting = 0;
    liveNotice("");
    htmx.ajax("GET", liveView(), { target: region(), swap: "innerHTML" }).then(function () {
      if (quietly) announce(changes === 1 ? "1 change made elsewhere is shown." : changes + " changes made elsewhere are shown.");
    });
  }
  function liveChange() {
    live.waiting += 1;
    if (document.hidden) return;
    if (onFirstPage() && !busyHere()) {
      liveRefresh(true);
    } else {
      liveNotice(live.waiting === 1 ? "1 change made elsewhere." : live.waiting + " changes made elsewhere.");
    }
  }
  // Any fresh region (the user's own action, paging, a refresh) is up to date.
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target === region()) {
      live.waiting = 0;
      liveNotice("");
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && live.waiting > 0) {
      live.waiting -= 1;
      liveChange();
    }
  });
  function startLive() {
    var page = document.querySelector("[data-live]");
    if (!page || !window.EventSource || !window.htmx) return;
    var source = new EventSource("/tasks/events");
    source.addEventListener("change", function (evt) {
      var change = {};
      try {
        change = JSON.parse(evt.data);
      } catch (e) {
        change = {};
      }
      if (change.origin === TAB || !region()) return;
      liveChange();
    });
    // This session ended (signed out here or elsewhere, revoked, password changed). The
    // account page goes to the sign-in page at once; the dashboard stays as it is, so that
    // nothing typed is lost: its next action goes to sign-in and keeps what was typed.
    source.addEventListener("signed-out", function () {
      source.close();
      if (!region() && !live.leaving) window.location.assign("/login?next=" + encodeURIComponent(liveView()));
    });
    // Too many newer streams of this account: this one stops; a reload starts it again.
    source.addEventListener("replaced", function () {
      source.close();
    });
  }
  startLive();

  // Sign-up: the browser's time zone goes with the form (without JavaScript the account
  // starts in UTC, as the note there says), and the note names it.
  function detectTimeZone() {
    var field = document.querySelector("input[data-detect-time-zone]");
    if (!field || field.value) return;
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    if (!zone) return;
    field.value = zone;
    var note = document.querySelector("[data-time-zone-note]");
    if (note) {
      note.textContent = "Dates will show in your time zone, " + zone + ". You can change it on your account page.";
    }
  }
  detectTimeZone();
  document.addEventListener("htmx:afterSettle", detectTimeZone);

  // The account page's zone picker: a filter box above the select (type part of a city or
  // region; the first match is selected). Without JavaScript the select alone works, and
  // typing a city's first letters in it jumps there.
  function enhanceZonePicker() {
    var select = document.querySelector("select[data-zone-picker]");
    if (!select || select.dataset.enhanced) return;
    select.dataset.enhanced = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "input mb-2";
    box.placeholder = "Filter: type a city or region";
    box.setAttribute("aria-label", "Filter time zones");
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean);
      var first = null;
      var current = select.options[select.selectedIndex];
      var currentShown = false;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = (option.value + " " + option.textContent).toLowerCase().replace(/_/g, " ");
        var shown = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !shown;
        if (shown && !first) first = option;
        if (shown && option === current) currentShown = true;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (first && !currentShown) first.selected = true;
    });
  }
  enhanceZonePicker();
  document.addEventListener("htmx:afterSettle", enhanceZonePicker);
})();
