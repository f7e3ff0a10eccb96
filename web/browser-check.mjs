// The tab's browser test, driven by tests/tab/test_tab_browser.py: opens each page in headless
// Chromium (Debian's, through playwright-core), checks what it shows, runs axe-core, records every
// request the page makes and saves a screenshot. Reads a JSON plan on stdin, prints JSON results.
//
// plan: {"chromium": "/usr/bin/chromium", "origin": "http://127.0.0.1:PORT",
//        "pages": [{"name", "url", "width", "colorScheme", "expect": [..], "forbid": [..], "screenshot"}]}
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const plan = JSON.parse(readFileSync(0, "utf8"));

const browser = await chromium.launch({
  executablePath: plan.chromium,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const results = [];
try {
  for (const spec of plan.pages) {
    const context = await browser.newContext({
      viewport: { width: spec.width || 1280, height: 900 },
      colorScheme: spec.colorScheme || "light",
      locale: spec.locale || "sv-SE",
    });
    const started = Date.now();
    const page = await context.newPage();
    const requests = [];
    const violations = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") { violations.push(message.text()); }
    });
    const response = await page.goto(spec.url, { waitUntil: "load" });
    const loaded = Date.now() - started;
    const text = await page.evaluate(() => document.body.innerText);
    // axe is evaluated through the DevTools protocol, which the page's CSP does not govern: the
    // page itself still runs under its real policy.
    await page.evaluate(axeSource);
    const axe = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const checked = Date.now() - started;
    await page.screenshot({ path: spec.screenshot, fullPage: true });
    // Keyboard: the first Tab lands on the skip link, and focus stays visible.
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.className);
    results.push({
      name: spec.name,
      status: response.status(),
      missing: (spec.expect || []).filter((s) => !text.includes(s)),
      present: (spec.forbid || []).filter((s) => text.includes(s)),
      foreign: requests.filter((url) => !url.startsWith(plan.origin)),
      console_errors: violations,
      first_tab: focused,
      axe: axe.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                                        target: v.nodes[0] && v.nodes[0].target })),
      theme: await page.evaluate(() => document.documentElement.getAttribute("data-theme")),
      ms: [loaded, checked, Date.now() - started],
    });
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
