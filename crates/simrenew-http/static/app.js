// Progressive enhancements of simrenew's pages. Every page works without this script.
(function () {
  "use strict";

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  }

  // Buttons that only make sense with a script are hidden until it runs.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // A form that buys something is sent once: its button is disabled after the first click
  // (the server refuses a second order in any case).
  document.querySelectorAll("form[data-once]").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelectorAll('button[type="submit"]').forEach(function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });

  // The voucher code field shows with the voucher method only.
  var voucher = document.querySelector('[data-shown-with="voucher"]');
  if (voucher) {
    var radios = document.querySelectorAll('input[name="method"]');
    var sync = function () {
      var chosen = document.querySelector('input[name="method"]:checked');
      voucher.hidden = !(chosen && chosen.value === "voucher");
    };
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }

  // An order syncing with the network: follow it, and show the page again when it changes.
  var status = document.querySelector("[data-order-status]");
  if (status && window.fetch) {
    var url = status.getAttribute("data-order-status");
    var state = status.getAttribute("data-order-state");
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (o) {
          if (o && o.state && o.state !== state) { window.location.reload(); return; }
          if (tries < 60) { setTimeout(poll, 5000); }
        })
        .catch(function () { if (tries < 60) { setTimeout(poll, 10000); } });
    };
    setTimeout(poll, 5000);
  }

  // WebAuthn JSON (base64url strings) to and from the browser's ArrayBuffers.
  function fromB64u(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function toB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function credentialJson(c) {
    var r = c.response, out = { id: c.id, rawId: toB64u(c.rawId), type: c.type, extensions: {} };
    out.response = { clientDataJSON: toB64u(r.clientDataJSON) };
    if (r.attestationObject) { out.response.attestationObject = toB64u(r.attestationObject); }
    if (r.authenticatorData) { out.response.authenticatorData = toB64u(r.authenticatorData); }
    if (r.signature) { out.response.signature = toB64u(r.signature); }
    if (r.userHandle) { out.response.userHandle = toB64u(r.userHandle); }
    return out;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta("csrf-token") },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  // Sign-in with a passkey: offered by the browser in the number field (conditional UI), and
  // by a button.
  var signIn = document.querySelector("[data-passkey-sign-in]");
  if (signIn && window.PublicKeyCredential) {
    signIn.hidden = false;
    var error = signIn.querySelector("[data-passkey-error]");
    var done = signIn.querySelector("[data-passkey-done]");
    var running = null;
    var start = function (conditional) {
      if (running) { running.abort(); }
      running = new AbortController();
      var signal = running.signal;
      return post("/api/v1/auth/passkeys/sign-ins").then(function (c) {
        var pk = c.options.publicKey;
        pk.challenge = fromB64u(pk.challenge);
        (pk.allowCredentials || []).forEach(function (a) { a.id = fromB64u(a.id); });
        var req = { publicKey: pk, signal: signal };
        if (conditional) { req.mediation = "conditional"; }
        return navigator.credentials.get(req).then(function (cred) {
          return post("/api/v1/auth/passkeys/sign-ins/" + encodeURIComponent(c.ceremony), { credential: credentialJson(cred) });
        });
      }).then(function (session) {
        done.querySelector('input[name="csrf_token"]').value = session.csrf_token;
        done.submit();
      });
    };
    signIn.querySelector("[data-passkey-button]").addEventListener("click", function () {
      error.hidden = true;
      start(false).catch(function (e) { if (e.name !== "AbortError") { error.hidden = false; } });
    });
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
        if (ok) { start(true).catch(function () {}); }
      });
    }
  }

  // Adding a passkey to the account.
  var reg = document.querySelector("[data-passkey-register]");
  if (reg && window.PublicKeyCredential) {
    reg.hidden = false;
    var note = document.querySelector("[data-passkey-unsupported]");
    if (note) { note.hidden = true; }
    reg.querySelector("[data-passkey-add]").addEventListener("click", function () {
      var ok = reg.querySelector("[data-passkey-added]");
      var err = reg.querySelector("[data-passkey-error]");
      ok.hidden = true; err.hidden = true;
      var label = reg.querySelector("#passkey-label").value || "Passkey";
      post("/api/v1/auth/passkeys/registrations").then(function (c) {
        var pk = c.options.publicKey;
        pk.challenge = fromB64u(pk.challenge);
        pk.user.id = fromB64u(pk.user.id);
        (pk.excludeCredentials || []).forEach(function (a) { a.id = fromB64u(a.id); });
        return navigator.credentials.create({ publicKey: pk }).then(function (cred) {
          return post("/api/v1/auth/passkeys/registrations/" + encodeURIComponent(c.ceremony), { credential: credentialJson(cred), label: label });
        });
      }).then(function () {
        ok.hidden = false;
        setTimeout(function () { window.location.reload(); }, 800);
      }).catch(function () { err.hidden = false; });
    });
  }
})();
