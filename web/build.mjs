// `make tab-js`: bundle the part of TeamsJS the tab uses into cards/pages/static/teams.js (vendored:
// production installs Styra without node). Versions are pinned in package.json.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync("node_modules/@microsoft/teams-js/package.json", "utf8"));
const license = readFileSync("node_modules/@microsoft/teams-js/LICENSE", "utf8").trim();

await build({
  entryPoints: ["teams-entry.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  legalComments: "none",
  banner: { js: `/* @microsoft/teams-js ${pkg.version} (app, authentication, pages), bundled by make tab-js.\n${license}\n*/` },
  outfile: "../cards/pages/static/teams.js",
});
