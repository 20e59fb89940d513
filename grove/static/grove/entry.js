// The judgement entry sheet: keyboard movement, autosave of each judgement, and a measure of
// the time spent (active time only), sent with each save so Grove can show the workload.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.judgement:not([disabled])"));
  if (!inputs.length) return;
  var codes = (form.dataset.codes || "").split(" ").filter(Boolean);
  var numeric = form.dataset.numeric === "1";
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("entry-status");
  var count = document.getElementById("entry-count");
  var saved = {};
  inputs.forEach(function (input) { saved[input.name] = input.value; });

  // --- time: seconds of activity, counting a gap of more than a minute as time away ---
  var IDLE = 60;
  var pending = 0;
  var last = null;
  function tick() {
    var now = Date.now() / 1000;
    if (last !== null && document.visibilityState === "visible") {
      var gap = now - last;
      if (gap < IDLE) pending += gap;
    }
    last = now;
  }
  ["keydown", "input", "focusin", "pointerdown"].forEach(function (kind) {
    form.addEventListener(kind, tick);
  });
  function takeElapsed() {
    tick();
    var seconds = Math.round(pending);
    pending -= seconds;
    return seconds;
  }
  function flushTime() {
    var seconds = takeElapsed();
    if (seconds > 0 && navigator.sendBeacon) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf);
      data.append("autosave", "1");
      data.append("elapsed", String(seconds));
      navigator.sendBeacon(form.action || window.location.href, data);
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushTime();
  });
  window.addEventListener("pagehide", flushTime);

  // --- typing a code: a unique start of a code is enough ---
  function expand(text) {
    var value = text.trim();
    if (!value || numeric) return value;
    var upper = value.toUpperCase();
    var exact = codes.filter(function (c) { return c.toUpperCase() === upper; });
    if (exact.length) return exact[0];
    var starts = codes.filter(function (c) { return c.toUpperCase().indexOf(upper) === 0; });
    return starts.length === 1 ? starts[0] : value;
  }

  function stateOf(input) {
    return document.getElementById("state-" + input.name.slice(6));
  }

  function save(input) {
    input.value = expand(input.value);
    if (saved[input.name] === input.value) return;
    var state = stateOf(input);
    state.textContent = "Saving…";
    state.className = "state state--saving";
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("autosave", "1");
    data.append("elapsed", String(takeElapsed()));
    data.append(input.name, input.value);
    var value = input.value;
    fetch(form.action || window.location.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok && result.body.saved !== false) {
        saved[input.name] = value;
        state.textContent = value ? "Saved" : "Cleared";
        state.className = "state state--saved";
        input.removeAttribute("aria-invalid");
        if (count) count.textContent = String(result.body.recorded);
      } else {
        var errors = (result.body && result.body.errors) || {};
        var message = errors[input.name] || Object.values(errors).join(" ") || "Not saved.";
        state.textContent = message;
        state.className = "state state--error";
        input.setAttribute("aria-invalid", "true");
        if (status) status.textContent = "Not saved: " + message;
      }
    }).catch(function () {
      state.textContent = "Not saved: the connection failed. Your typing is kept; try again.";
      state.className = "state state--error";
    });
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowDown" || event.key === "Enter") next = inputs[index + 1];
      else if (event.key === "ArrowUp") next = inputs[index - 1];
      else return;
      event.preventDefault();
      save(input);
      if (next) { next.focus(); next.select(); }
    });
    input.addEventListener("change", function () { save(input); });
  });

  // Without the script the form posts everything; with it, "Save all" still works as a check.
  form.addEventListener("submit", function () {
    document.getElementById("id_elapsed").value = String(takeElapsed());
  });
})();
