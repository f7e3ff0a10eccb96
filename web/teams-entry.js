// The part of TeamsJS the tab uses, bundled by `make tab-js` into cards/pages/static/teams.js.
// TeamsJS fetches its list of valid host origins from a Microsoft CDN when it loads; the tab makes
// no third-party requests (and its CSP would block it), so that one fetch fails at once here and
// TeamsJS uses the list it ships with.
import "./no-cdn.js";
import { app, authentication, pages } from "@microsoft/teams-js";

window.styraTeams = { app, authentication, pages };
