// art35 portal: the little the server cannot do.
// - tells the server the viewer's time zone (a cookie), so times are shown
//   in it as well as in UTC and the sender's zone;
// - moves countdowns every second (the server's clock, not the PC's: the
//   page carries the server's "now");
// - copy buttons for identifiers and references;
// - keeps focus and scroll where the officer left them when htmx swaps a
//   live part of the page;
// - announces arrivals in the inbox: highlighted row, count in the title,
//   a polite aria-live message, an optional sound and an optional desktop
//   notification (asked once, on the officer's click).
// Everything works without it, only less comfortably.
(function () {
  "use strict";
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("art35_tz=" + encodeURIComponent(tz)) < 0) {
      document.cookie = "art35_tz=" + encodeURIComponent(tz) + "; path=/; SameSite=Strict; max-age=31536000";
    }
  } catch (e) { /* old browser: times stay in UTC */ }

  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };

  // Words in the page's language (layout.html: the js.* messages of the
  // catalogue); English if the page did not give them.
  var words = {};
  try { words = JSON.parse((document.getElementById("portal-words") || {}).textContent || "{}"); } catch (e) { words = {}; }
  function t(key, fallback) {
    var s = words[key] || fallback, args = Array.prototype.slice.call(arguments, 2);
    return s.replace(/\{([1-9])\}/g, function (m, i) { return i - 1 < args.length ? String(args[i - 1]) : m; });
  }

  function announce(msg) {
    var a = document.getElementById("announcer");
    if (!a) { return; }
    // Clear first so the same words twice are read twice.
    a.textContent = "";
    window.setTimeout(function () { a.textContent = msg; }, 50);
  }

  // --- countdowns, on the server's clock ---
  var offset = 0;
  var serverNow = Date.parse(document.body.getAttribute("data-now") || "");
  if (!isNaN(serverNow)) { offset = serverNow - Date.now(); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function span(ms) {
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
    if (h >= 48) { return t("span-days", "{1}d {2}h", Math.floor(h / 24), h % 24); }
    if (h >= 1) { return t("span-hours", "{1}h {2}m", h, pad(m % 60)); }
    return t("span-minutes", "{1}m {2}s", m, pad(s % 60));
  }
  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var d = due - now;
      el.textContent = d < 0 ? t("overdue", "⚠ OVERDUE by {1}", span(-d)) : t("in", "in {1}", span(d));
      el.classList.toggle("flag", d < 0);
      var tr = el.closest("tr");
      if (tr) { tr.classList.toggle("overdue", d < 0); }
    });
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(t)) { el.textContent = span(Math.max(0, now - t)); }
    });
  }
  window.setInterval(tick, 1000);

  // --- copy buttons ---
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button.copy");
    if (!b) { return; }
    var text = b.getAttribute("data-copy");
    var done = function () { b.textContent = t("copied", "Copied"); announce(t("copied-text", "Copied {1}", text)); window.setTimeout(function () { b.textContent = t("copy", "Copy"); }, 2000); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  });
  function fallbackCopy(text) {
    var t = document.createElement("textarea");
    t.value = text; t.setAttribute("readonly", ""); t.style.position = "fixed"; t.style.opacity = "0";
    document.body.appendChild(t); t.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(t);
  }

  // --- focus and scroll across live swaps ---
  // What the officer types is remembered as it is typed (input and change
  // events), not read at swap time: a live update may come as several
  // swaps (out-of-band parts), and by the second one the first has already
  // redrawn the form. Focus and scroll are those of the view before the
  // first swap of an update. Submitting a form forgets what was typed in it.
  var typed = {};
  function rememberTyped(e) {
    var el = e.target;
    if (!el || !el.id || el.type === "hidden" || !("value" in el)) { return; }
    typed[el.id] = (el.type === "checkbox" || el.type === "radio") ? { checked: el.checked } : { value: el.value };
  }
  document.addEventListener("input", rememberTyped, true);
  document.addEventListener("change", rememberTyped, true);
  document.addEventListener("submit", function (e) {
    e.target.querySelectorAll("[id]").forEach(function (el) { delete typed[el.id]; });
  }, true);
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (kept || (e.detail && e.detail.shouldSwap === false)) { return; }
    var a = document.activeElement;
    kept = { id: a && a !== document.body ? a.id : "", x: window.scrollX, y: window.scrollY,
      start: a && "selectionStart" in a ? a.selectionStart : null };
  });
  function restore() {
    Object.keys(typed).forEach(function (id) {
      var el = document.getElementById(id), t = typed[id];
      if (!el) { return; }
      if ("checked" in t) { if (el.checked !== t.checked) { el.checked = t.checked; } }
      else if (el.value !== t.value) { el.value = t.value; }
    });
    if (!kept) { return; }
    var k = kept;
    if (k.id && (document.activeElement === document.body || !document.activeElement)) {
      var el = document.getElementById(k.id);
      if (el) {
        el.focus({ preventScroll: true });
        if (k.start !== null && el.setSelectionRange) { try { el.setSelectionRange(k.start, k.start); } catch (err) { /* not a text input */ } }
      }
    }
    if (window.scrollX !== k.x || window.scrollY !== k.y) { window.scrollTo(k.x, k.y); }
  }
  document.addEventListener("htmx:oobAfterSwap", restore);
  document.addEventListener("htmx:afterSwap", restore);
  document.addEventListener("htmx:afterSettle", function () {
    restore();
    kept = null;
    tick();
  });

  // A message the server wants read first (sent, done, error) takes focus.
  var first = document.querySelector("[data-focus]");
  if (first) { first.focus(); }

  // --- arrivals in the inbox ---
  var rows = function () { return document.getElementById("rows"); };
  if (!rows()) { return; }
  var party = document.body.getAttribute("data-party") || "";
  var knownKey = "art35.known." + party;
  var baseTitle = document.title;
  var unseen = 0;
  var fresh = {};
  var known = null;
  try { known = JSON.parse(window.sessionStorage.getItem(knownKey) || "null"); } catch (e) { known = null; }

  function ids() {
    var out = [];
    rows().querySelectorAll("tr[data-id]").forEach(function (tr) { out.push(tr.getAttribute("data-id")); });
    return out;
  }
  function remember(list) {
    known = {};
    list.forEach(function (id) { known[id] = true; });
    try { window.sessionStorage.setItem(knownKey, JSON.stringify(known)); } catch (e) { /* private mode */ }
  }
  function mark() {
    rows().querySelectorAll("tr[data-id]").forEach(function (tr) {
      if (fresh[tr.getAttribute("data-id")]) { tr.classList.add("new"); }
    });
    document.title = unseen > 0 ? t("title-new", "({1} new) {2}", unseen, baseTitle) : baseTitle;
  }
  function beep() {
    try {
      var C = window.AudioContext || window.webkitAudioContext;
      var ctx = new C(), o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; g.gain.value = 0.15;
      o.connect(g); g.connect(ctx.destination); o.start(); o.stop(ctx.currentTime + 0.35);
    } catch (e) { /* no audio */ }
  }
  function arrived(list) {
    var added = list.filter(function (id) { return known && !known[id]; });
    remember(list);
    if (added.length === 0) { mark(); return; }
    var labels = [];
    added.forEach(function (id) {
      fresh[id] = true; unseen++;
      var tr = rows().querySelector('tr[data-id="' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]');
      labels.push(tr ? tr.getAttribute("data-label") : id);
    });
    mark();
    var msg = added.length === 1 ? t("new-one", "New: {1}", labels.join("; ")) : t("new-many", "{1} new: {2}", added.length, labels.join("; "));
    announce(msg);
    if (store.get("art35.sound") === "on") { beep(); }
    if (window.Notification && Notification.permission === "granted" && store.get("art35.notify") === "on") {
      try { new Notification("art35 " + party, { body: msg, tag: "art35-" + party }); } catch (e) { /* not allowed here */ }
    }
  }
  arrived(ids());
  // The rows are swapped whole (outerHTML) only when they changed.
  document.addEventListener("htmx:afterSettle", function () { if (rows()) { arrived(ids()); } });
  // The count in the title is for an officer away from the screen: it
  // goes when they come back and use the page.
  ["keydown", "pointerdown"].forEach(function (t) {
    document.addEventListener(t, function () { if (unseen > 0 && document.hasFocus()) { unseen = 0; mark(); } });
  });

  // Sound and desktop notifications: off until the officer turns them on;
  // the browser asks for notification permission once, on that click.
  var sound = document.getElementById("sound-on");
  if (sound) {
    sound.checked = store.get("art35.sound") === "on";
    sound.addEventListener("change", function () { store.set("art35.sound", sound.checked ? "on" : "off"); if (sound.checked) { beep(); } });
  }
  var notify = document.getElementById("notify-on");
  if (notify) {
    if (!window.Notification) { notify.disabled = true; notify.title = t("no-notifications", "this browser has no desktop notifications"); }
    notify.checked = store.get("art35.notify") === "on" && window.Notification && Notification.permission === "granted";
    notify.addEventListener("change", function () {
      if (!notify.checked) { store.set("art35.notify", "off"); return; }
      Notification.requestPermission().then(function (p) {
        notify.checked = p === "granted";
        store.set("art35.notify", notify.checked ? "on" : "off");
        announce(notify.checked ? t("notifications-on", "Desktop notifications on") : t("notifications-refused", "Desktop notifications were not allowed by the browser"));
      });
    });
  }
})();
