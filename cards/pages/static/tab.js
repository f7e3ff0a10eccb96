/* Styra's portfolio tab: TeamsJS start-up, SSO sign-in, the theme, the channel tab's settings.
   Outside Teams nothing here is needed: the pages work with the signed link alone. */
(function () {
  "use strict";
  var body = document.body;
  var teams = window.styraTeams;
  var inFrame = window.parent !== window;
  var kind = body.getAttribute("data-page");

  function byId(id) { return document.getElementById(id); }
  function show(id, on) { var el = byId(id); if (el) { el.hidden = !on; } }

  function theme(name) {
    var value = name === "dark" ? "dark" : name === "contrast" ? "contrast" : "light";
    document.documentElement.setAttribute("data-theme", value);
  }

  function start() {
    if (!teams || !inFrame) { return Promise.reject(new Error("not in Teams")); }
    var timeout = new Promise(function (_, no) { setTimeout(function () { no(new Error("timeout")); }, 5000); });
    return Promise.race([teams.app.initialize(), timeout]).then(function () {
      return teams.app.getContext();
    }).then(function (context) {
      theme(context.app && context.app.theme);
      teams.app.registerOnThemeChangeHandler(theme);
      return context;
    });
  }

  function signIn() {
    if (!inFrame) { return; }
    var here = new URL(window.location.href);
    // A page that sends us back here right after a sign-in would loop: stop and say so.
    var last = 0;
    try { last = Number(window.sessionStorage.getItem("styra-signin")) || 0; } catch (e) { last = 0; }
    if (Date.now() - last < 15000) { show("signin-outside", false); show("signin-failed", true); return; }
    try { window.sessionStorage.setItem("styra-signin", String(Date.now())); } catch (e) { /* no storage */ }
    show("signin-outside", false);
    show("signin-teams", true);
    var context;
    start().then(function (found) {
      context = found;
      return teams.authentication.getAuthToken();
    }).then(function (token) {
      return fetch(body.getAttribute("data-exchange"), {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { "Authorization": "Bearer " + token }
      });
    }).then(function (response) {
      if (!response.ok) { throw new Error("sign-in refused: " + response.status); }
      return response.json();
    }).then(function (answer) {
      here.searchParams.set("s", answer.s);
      if (!here.searchParams.get("lang") && context.app && context.app.locale) {
        here.searchParams.set("lang", context.app.locale.slice(0, 2));
      }
      here.searchParams.set("theme", (context.app && context.app.theme) || "default");
      window.location.replace(here.toString());
    }).catch(function () {
      show("signin-teams", false);
      show("signin-failed", true);
    });
  }

  function configure() {
    var form = byId("config");
    var config = teams.pages.config;
    function chosen() { return form ? form.querySelector("input[name=area]:checked") : null; }
    config.registerOnSaveHandler(function (save) {
      var choice = chosen();
      if (!choice) { save.notifyFailure("no e-area chosen"); return; }
      var url = body.getAttribute("data-origin") + "/tab/area/" + encodeURIComponent(choice.value);
      config.setConfig({
        contentUrl: url, websiteUrl: url, entityId: "styra-area-" + choice.value,
        suggestedDisplayName: choice.getAttribute("data-name")
      }).then(function () { save.notifySuccess(); }, function (err) { save.notifyFailure(String(err)); });
    });
    if (form) { form.addEventListener("change", function () { config.setValidityState(!!chosen()); }); }
    config.setValidityState(!!chosen());
  }

  if (kind === "signin") {
    signIn();
  } else if (inFrame) {
    start().then(function () { if (kind === "config") { configure(); } }).catch(function () { /* a plain browser frame */ });
  }
}());
