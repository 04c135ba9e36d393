// End-to-end in headless Chromium, with axe-core on every page visited.
// Run by tests/api/browser.rs against a real server:
//   BASE_URL=http://127.0.0.1:PORT OFFICER_EMAIL=… OFFICER_PASSWORD=… CHROMIUM=/usr/bin/chromium node e2e.mjs
// A consultee reads the Cheltenham consultation, sends a joint response with
// two points, gets a reference and changes the response; an officer signs
// in, sees the issues, moves one between themes, drafts and agrees an answer
// and downloads the CSV; the response form is then filled with the keyboard
// alone. Exits non-zero on any failure or any WCAG 2.2 AA violation.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.env.BASE_URL;
const slug = "cheltenham-2011";
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const violations = [];
const checked = [];

function fail(message) {
  throw new Error(message);
}

// Runs axe on the page as it is now; records violations.
async function audit(page, name) {
  // SOUNDING_SCREENSHOTS=DIR keeps a picture of every page checked, to look at.
  if (process.env.SOUNDING_SCREENSHOTS) {
    const file = `${checked.length.toString().padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}.png`;
    await page.screenshot({ path: `${process.env.SOUNDING_SCREENSHOTS}/${file}`, fullPage: true });
  }
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
    WCAG,
  );
  checked.push(name);
  for (const v of result.violations) {
    violations.push(
      `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(" "))
        .join(", ")}`,
    );
  }
}

async function visit(page, path, name) {
  const response = await page.goto(base + path);
  if (!response || response.status() >= 400) fail(`${path}: ${response && response.status()}`);
  await audit(page, name ?? path);
}

async function expectText(page, text) {
  const body = await page.textContent("body");
  if (!body.includes(text)) fail(`expected “${text}” on ${page.url()}:\n${body.slice(0, 1500)}`);
}

// At 375 px (a small phone) no public page may scroll sideways: the
// committee table reflows and the diagram scales to the width.
async function narrowScreen(browser) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  const pages = [
    ["/", "home"],
    [`/consultations/${slug}`, "consultation"],
    [`/consultations/${slug}/respond`, "response form"],
    ["/consultations/gloucestershire-2008", "a published consultation"],
    ["/consultations/gloucestershire-2008/summary", "summary table"],
    ["/consultations/gloucestershire-2008/outcome", "outcome page"],
    ["/privacy", "privacy notice"],
    ["/accessibility", "accessibility statement"],
  ];
  for (const [path, name] of pages) {
    await visit(page, path, `${name} at 375 px`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 375) fail(`${name} at 375 px is ${width} px wide`);
  }
  // Check your answers is reached by a post: fill the form, continue.
  await page.goto(`${base}/consultations/${slug}/respond`);
  await page.fill("#name", "Narrow Screen");
  await page.check("#on_behalf-no");
  for (const answer of await page.$$('textarea[name^="answer-"]')) await answer.fill("Yes.");
  await page.fill("#point-1-text", "A point typed on a phone.");
  await page.check("#publication");
  await page.click('button.button[value="check"]');
  await expectText(page, "Check your answers");
  await audit(page, "check your answers at 375 px");
  const checkWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  if (checkWidth > 375) fail(`check your answers at 375 px is ${checkWidth} px wide`);
  await context.close();
}

async function consultee(browser) {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await visit(page, "/", "home");
  await page.click(`a[href="/consultations/${slug}"]`);
  await audit(page, "consultation");
  await page.click(`a[href="/consultations/${slug}/respond"]`);
  await audit(page, "response form");
  await page.click('button.button[value="check"]');
  await expectText(page, "There is a problem");
  await audit(page, "response form with errors");

  await page.fill("#name", "Jo Bloggs");
  await page.fill("#email", "jo@example.org");
  // GOV.UK conditional reveal, by CSS alone: the organisation's questions
  // show once "Yes" is chosen.
  if (await page.isVisible("#organisation")) fail("the organisation block shows before Yes is chosen");
  await page.check("#on_behalf");
  if (!(await page.isVisible("#organisation"))) fail("the organisation block stays hidden after Yes");
  await page.fill("#organisation", "St Philip and St James Residents Association");
  await page.selectOption("#organisation_kind", "residents_association");
  await page.click('button[value="add-organisation"]');
  await page.fill("#joint-1-name", "Stronger Communities Partnership");
  await page.selectOption("#joint-1-kind", "partnership");
  for (const answer of await page.$$('textarea[name^="answer-"]')) {
    await answer.fill("We broadly support the structure.");
  }
  await page.fill("#point-1-text", "The SLG should include the police authority.");
  await page.click('button[value="add-point"]');
  // The page comes back at the new point, without JavaScript of ours.
  const landed = await page.evaluate(() => {
    const field = document.getElementById("point-2-text");
    const box = field && field.getBoundingClientRect();
    return { hash: location.hash, inView: !!box && box.top < window.innerHeight && box.bottom > 0 };
  });
  if (landed.hash !== "#point-2-text" || !landed.inView) fail(`after "Add another point": ${JSON.stringify(landed)}`);
  await page.fill("#point-2-text", "Will the Positive Participation Partnership meet often enough?");
  await page.check("#publication");
  await audit(page, "response form, filled");
  await page.click('button.button[value="check"]');
  await expectText(page, "Check your answers");
  await audit(page, "check your answers");
  // "Change" goes back to that very field, then on to the check page again.
  await page.click('button[formaction$="#point-2-text"]');
  const back = await page.evaluate(() => {
    const field = document.getElementById("point-2-text");
    const box = field && field.getBoundingClientRect();
    return { hash: location.hash, inView: !!box && box.top < window.innerHeight && box.bottom > 0 };
  });
  if (back.hash !== "#point-2-text" || !back.inView) fail(`after Change: ${JSON.stringify(back)}`);
  await expectText(page, "Change your answer, then select Continue");
  await page.click('button.button[value="check"]');
  await expectText(page, "Check your answers");
  await page.click('button.button[value="submit"]');
  await expectText(page, "Response received");
  const body = await page.textContent("body");
  const reference = (body.match(/CHL-\d{4}/) || fail("no reference on the confirmation"))[0];
  await audit(page, "confirmation");

  // The private link shows the response; change it.
  await page.click("a.break-word");
  await expectText(page, "Stronger Communities Partnership");
  await audit(page, "private response page");
  await page.click('a[href*="/change?key="]');
  await expectText(page, "The SLG should include the police authority.");
  await audit(page, "change form");
  await page.fill("#point-1-text", "The SLG should include the police authority and the fire service.");
  await page.click('button.button[value="submit"]');
  await expectText(page, "fire service");
  // The other public pages: a published consultation, its summary and
  // published responses, its closed form, and a missing page.
  const past = "gloucestershire-2008";
  await visit(page, `/consultations/${past}`, "published consultation");
  await visit(page, `/consultations/${past}/summary`, "published summary");
  await visit(page, `/consultations/${past}/responses`, "published responses");
  // What happened after: the revised structure, each change and why.
  await visit(page, `/consultations/${past}/outcome`, "outcome page");
  await expectText(page, "A young people's representative joins the board.");
  await page.goto(`${base}/consultations/${past}/respond`);
  await expectText(page, "closed");
  await audit(page, "closed response form");
  const missing = await page.goto(`${base}/no-such-page`);
  if (missing.status() !== 404) fail(`a missing page answered ${missing.status()}`);
  await audit(page, "page not found");
  await context.close();
  return reference;
}

async function officer(browser, reference) {
  const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  await visit(page, "/sign-in", "sign in");
  await page.fill("#email", process.env.OFFICER_EMAIL);
  await page.fill("#password", process.env.OFFICER_PASSWORD);
  await page.click("button.button");
  await audit(page, "staff home");
  const ws = `/staff/consultations/${slug}`;
  await visit(page, `${ws}/workspace`, "workspace");
  await visit(page, `${ws}/inbox`, "inbox");
  await expectText(page, reference);
  await visit(page, `${ws}/inbox/${reference}`, "response in the inbox");
  await expectText(page, "Positive Participation Partnership");
  // A save on the response page happens in place (no reload) and leaves
  // the issue saved in view, marked "Saved." (app.js).
  const lastIssue = await page.$$eval("section.issue-card", (cards) => cards[cards.length - 1].id);
  await page.evaluate(() => { window.__notReloaded = true; });
  await page.click(`#${lastIssue} form button.button`);
  await page.waitForSelector(`#${lastIssue} .saved-status`);
  const saved = await page.evaluate((id) => {
    const card = document.getElementById(id);
    const box = card && card.getBoundingClientRect();
    return { stayed: window.__notReloaded === true, inView: !!box && box.top < window.innerHeight && box.bottom > 0 };
  }, lastIssue);
  if (!saved.stayed || !saved.inView) fail(`after saving ${lastIssue}: ${JSON.stringify(saved)}`);
  // The shortcuts are listed, and j moves to an issue.
  if (!(await page.isVisible("#shortcuts"))) fail("the keyboard shortcuts are not listed");
  await page.focus("#issues");
  await page.keyboard.press("j");
  if (!(await page.evaluate(() => /issue-\d+-heading/.test(document.activeElement.id)))) fail("j did not go to an issue");
  // Without JavaScript the same save reloads at the issue: no-JS pages.
  const plain = await browser.newContext({ bypassCSP: true, javaScriptEnabled: false });
  const noJs = await plain.newPage();
  for (const cookie of await context.cookies()) await plain.addCookies([cookie]);
  await noJs.goto(`${base}${ws}/inbox/${reference}`);
  await noJs.click(`#${lastIssue} form button.button`);
  const reloaded = await noJs.evaluate((id) => {
    const card = document.getElementById(id);
    const box = card && card.getBoundingClientRect();
    return { hash: location.hash, inView: !!box && box.top < window.innerHeight && box.bottom > 0 };
  }, lastIssue);
  if (reloaded.hash !== `#${lastIssue}` || !reloaded.inView) fail(`without JavaScript, after saving ${lastIssue}: ${JSON.stringify(reloaded)}`);
  await plain.close();
  // Removing selected issues asks first, quoting them; Cancel goes back.
  await page.check(`#select-${lastIssue.replace("issue-", "")}`);
  await page.selectOption("#bulk-action", "remove");
  await page.click("#bulk button.button");
  await page.waitForLoadState();
  await audit(page, "remove the selected issues?");
  await expectText(page, "it is not an issue?");
  await page.click("text=Cancel");
  await page.waitForLoadState();
  if (!(await page.$(`#${lastIssue}`))) fail(`Cancel removed ${lastIssue}`);
  await visit(page, `${ws}/group`, "the group");
  await visit(page, `${ws}/responses/import`, "import responses");

  // Find the themes, then move an issue from one theme to another.
  await visit(page, `${ws}/analysis`, "analysis");
  await page.click("form button.button");
  for (let i = 0; i < 300; i++) {
    await page.goto(`${base}${ws}/analysis`);
    if ((await page.textContent("body")).includes("The last analysis finished")) break;
    await page.waitForTimeout(200);
  }
  await expectText(page, "The last analysis finished");
  await visit(page, `${ws}/themes`, "themes");
  const themeLinks = await page.$$eval(`a[href^="${ws}/themes/"]`, (as) =>
    as.map((a) => a.getAttribute("href")).filter((h) => /\/themes\/\d+$/.test(h)),
  );
  if (themeLinks.length < 2) fail(`need two themes, found ${themeLinks}`);
  await visit(page, themeLinks[0], "a theme");
  const issue = await page.$eval('input[name="issues"]', (i) => i.value);
  await page.check(`#issue-${issue}`);
  const target = await page.$eval("#move-to", (s) => [...s.options].map((o) => o.value).find((v) => v && v !== "none"));
  await page.selectOption("#move-to", target);
  await page.click('#move button.button');
  // Back on the same theme's list, at the issue that followed the one moved.
  await page.waitForLoadState();
  const afterMove = await page.evaluate(() => {
    const at = location.hash && document.getElementById(location.hash.slice(1));
    const box = at && at.getBoundingClientRect();
    return { hash: location.hash, inView: !!box && box.top < window.innerHeight && box.bottom > 0 };
  });
  if (!/^#(issue-\d+|move-issues)$/.test(afterMove.hash) || !afterMove.inView) fail(`after a move on the theme page: ${JSON.stringify(afterMove)}`);
  await visit(page, `${ws}/themes/${target}`, "the other theme");
  if (!(await page.$(`#issue-${issue}`))) fail(`issue ${issue} did not move to theme ${target}`);

  // Keyboard only: Tab to the issue, Space to select it, arrows to choose
  // the theme, Enter to move it back.
  const tabTo = async (test, what) => {
    for (let i = 0; i < 300; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(test)) return;
    }
    fail(`Tab never reached ${what}`);
  };
  await tabTo(() => document.activeElement && document.activeElement.name === "issues", "an issue's checkbox");
  const picked = await page.evaluate(() => document.activeElement.value);
  await page.keyboard.press("Space");
  if (!(await page.evaluate(() => document.activeElement.checked))) fail("Space did not select the issue");
  await tabTo(() => document.activeElement && document.activeElement.id === "move-to", "the theme to move to");
  for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement.value)); i++) {
    await page.keyboard.press("ArrowDown");
  }
  const back = await page.evaluate(() => document.activeElement.value);
  if (!back) fail("the arrow keys chose no theme");
  await tabTo(() => document.activeElement && /Move the selected issues/.test(document.activeElement.textContent), "the Move button");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await visit(page, back === "none" ? `${ws}/themes/none` : `${ws}/themes/${back}`, "a theme, after a keyboard move");
  if (!(await page.$(`#issue-${picked}`))) fail(`the keyboard did not move issue ${picked} to ${back}`);

  // After the consultation: the revised structure and the committee pack.
  await visit(page, `/staff/consultations/${slug}/outcome`, "after the consultation");
  await expectText(page, "The committee pack");

  // Draft and agree the group's response to it.
  await visit(page, `${ws}/issues/${issue}/draft`, "drafting");
  await page.check("#draft-kind-written");
  await page.fill("#draft-content", "The group agrees: the police authority will be invited to the SLG.");
  await page.check("#draft-status-agreed");
  await page.click('#draft button.button');
  await page.waitForLoadState();
  const afterDraft = await page.evaluate(() => {
    const box = document.getElementById("draft-content").getBoundingClientRect();
    return { hash: location.hash, inView: box.top < window.innerHeight && box.bottom > 0 };
  });
  if (afterDraft.hash !== "#draft" || !afterDraft.inView) fail(`after saving a draft: ${JSON.stringify(afterDraft)}`);
  await visit(page, `${ws}/issues/${issue}/draft`, "drafting, saved");
  await expectText(page, "The group agrees: the police authority will be invited to the SLG.");

  // The committee table as CSV.
  await visit(page, `/consultations/${slug}/summary`, "summary table");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click(`a[href^="/consultations/${slug}/summary.csv"]`),
  ]);
  const csv = readFileSync(await download.path(), "utf8");
  if (!csv.includes("The group agrees: the police authority will be invited to the SLG.")) {
    fail(`the CSV lacks the agreed answer:\n${csv.slice(0, 800)}`);
  }
  await context.close();
}

// Fills and sends the response form with the keyboard alone.
async function keyboardOnly(browser, enterChecked = false) {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/consultations/${slug}/respond`);
  const reached = [];
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      return { id: e.id, tag: e.tagName, name: e.getAttribute("name"), value: e.getAttribute("value") };
    });
    reached.push(focused.id || `${focused.tag}[${focused.name}=${focused.value}]`);
    if (focused.id === "website") fail("the honeypot field is reachable by keyboard");
    if (focused.id === "name") await page.keyboard.type("Kay Board");
    if (!enterChecked && focused.id === "organisation") {
      // Enter in a text field continues (here: back with errors), never
      // adds a joint organisation.
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      if (await page.$("#joint-1-name")) fail("Enter in a text field added a joint organisation");
      await expectText(page, "There is a problem");
      await context.close();
      return keyboardOnly(browser, true);
    }
    if (focused.id === "on_behalf") await page.keyboard.press("ArrowDown"); // selects "No"
    if (focused.tag === "TEXTAREA" && focused.name.startsWith("answer-")) await page.keyboard.type("Typed without a mouse.");
    if (focused.id === "point-1-text") await page.keyboard.type("A point typed without a mouse.");
    if (focused.id === "publication") await page.keyboard.press("Space");
    if (focused.tag === "BUTTON" && focused.value === "check") {
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      await expectText(page, "Check your answers");
      await expectText(page, "A point typed without a mouse.");
      await context.close();
      return;
    }
  }
  fail(`never reached the Continue button by keyboard: ${reached.join(" → ")}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  // axe itself must be working: a page with a known violation is caught.
  {
    const page = await browser.newPage();
    await page.setContent('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>');
    await audit(page, "self-check");
    if (!violations.some((v) => v.includes("image-alt"))) fail("axe did not catch a missing alt text");
    violations.length = 0;
    checked.length = 0;
    await page.close();
  }
  const reference = await consultee(browser);
  console.log(`consultee: sent and changed ${reference}`);
  await officer(browser, reference);
  console.log("officer: saw the issues, moved one, agreed an answer, downloaded the CSV");
  await keyboardOnly(browser);
  console.log("keyboard only: filled and sent the response form");
  await narrowScreen(browser);
  console.log("375 px: no page scrolls sideways");
} finally {
  await browser.close();
}
console.log(`axe-core (WCAG 2.2 AA) on ${checked.length} pages: ${checked.join("; ")}`);
if (violations.length > 0) {
  console.log(`${violations.length} violation(s):\n${violations.join("\n")}`);
  process.exit(1);
}
console.log("0 violations");
