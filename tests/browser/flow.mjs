// tests/browser/flow.mjs - the web pages in a real browser: Debian's chromium,
// headless, driven by playwright-core (no bundled browser). Run by
// tests/test_browser.c under ctest:
//
//   node tests/browser/flow.mjs BASE_URL TRIAGER_TOKEN OUTDIR
//
// (or BASE_URL, TRIAGER_TOKEN, OUTDIR in the environment; CHROMIUM overrides
// /usr/bin/chromium). The flow, every step asserted:
//   a. an employee submits /submit and lands on the thank-you page, which
//      links the new idea                                    -> 01-thanks.png
//   b. a triager signs in at /login and finds it on /board   -> 02-board.png
//   c. on /ideas/{id}: publishing without a public title is refused and
//      changes nothing; with one, status planned + public is saved
//                                                            -> 03-idea.png
//   d. a stranger (fresh context, no cookie) sees the public title in the
//      "Next" column of /roadmap/public and none of the employee's private
//      text or e-mail; at phone width nothing scrolls sideways
//                                                            -> 04-public-roadmap.png, 05-public-phone.png
//   e. another employee asks for much the same in other words: a new idea,
//      offered on the first idea's page as similar; the triager folds it in
//      with one click (demand: 2 mentions) and undoes it from its page
//                                                            -> 06-folded.png, 07-unfolded.png
//   f. the triager signs out: the session ends, /board asks to sign in again
// Exits 0 when every step held, 1 with a clear message otherwise.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.argv[2] || process.env.BASE_URL || '').replace(/\/+$/, '');
const token = process.argv[3] || process.env.TRIAGER_TOKEN || '';
const outdir = process.argv[4] || process.env.OUTDIR || '';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base || !token || !outdir) {
  console.error('usage: node flow.mjs BASE_URL TRIAGER_TOKEN OUTDIR');
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });

const STEP_TIMEOUT_MS = 30000; // generous: ctest runs the sanitized suite in parallel
let step = 'start';
const problems = []; // found on the way; fail the run at the end
function fail(msg) {
  throw new Error(`[${step}] ${msg}`);
}
function check(cond, msg) {
  if (!cond) fail(msg);
}
function log(msg) {
  console.log(`flow: ${msg}`);
}

// Unique, recognisable text: the private strings must never reach the public page.
const suffix = randomBytes(4).toString('hex');
const privateTitle = `Dark mode for the admin console zq${suffix}`;
const privateBody = `Our night shift asked for it twice. Internal detail body-${suffix}.`;
const employeeName = `Dana Employee ${suffix}`;
const employeeEmail = `dana.${suffix}@corp.example`;
const publicTitle = `A dark theme for the console (public ${randomBytes(3).toString('hex')})`;

async function shot(page, name, fullPage = true) {
  const path = join(outdir, name);
  await page.screenshot({ path, fullPage });
  log(`screenshot ${path}`);
}

// Every form control has a label a person can see (a label swallowed by an
// unclosed <select> still names the field for a screen reader, but is not
// drawn: Chromium keeps it inside the select).
async function checkLabels(page, what) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && el.type !== 'submit' && !el.getAttribute('aria-label')
                      && ![...(el.labels || [])].some((l) => l.getClientRects().length > 0 && !l.closest('select')))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
  // recorded, not thrown: the flow goes on (and takes its screenshots)
  if (unlabelled.length) problems.push(`${what}: form fields without a visible label: ${unlabelled.join(', ')}`);
}

// Fails on any navigation answered with an error status.
async function go(page, url, expectOk = true) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  check(resp, `no response for ${url}`);
  if (expectOk) check(resp.ok(), `${url} answered ${resp.status()}`);
  return resp;
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run',
         '--disable-dev-shm-usage'],
});
let code = 0;
try {
  log(`chromium ${browser.version()}, base ${base}`);
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  staff.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await staff.newPage();
  const consoleErrors = [];
  // script errors and CSP refusals count; an error status (the expected 409,
  // the favicon's 404) is asserted where it matters instead
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // a. the employee form ------------------------------------------------------
  step = 'a. submit';
  await go(page, `${base}/submit`);
  for (const sel of ['#name', '#email', '#title', '#body'])
    check(await page.locator(sel).count() === 1, `the form has no ${sel} field (demo identity mode)`);
  await checkLabels(page, '/submit');
  await page.fill('#name', employeeName);
  await page.fill('#email', employeeEmail);
  await page.fill('#title', privateTitle);
  await page.fill('#body', privateBody);
  await Promise.all([
    page.waitForURL(/\/submit\/thanks/, { timeout: STEP_TIMEOUT_MS }),
    page.click('form button[type=submit]'),
  ]);
  check(/\/submit\/thanks/.test(page.url()), `expected the thank-you page, got ${page.url()}`);
  const link = page.locator('#idea-link');
  check(await link.count() === 1, 'the thank-you page has no #idea-link');
  const href = await link.getAttribute('href');
  const m = /^\/ideas\/(\d+)$/.exec(href || '');
  check(m, `#idea-link should link /ideas/{id}, links ${JSON.stringify(href)}`);
  const id = m[1];
  check(/merged=0/.test(page.url()), `the idea should be new, not merged: ${page.url()}`);
  log(`submitted idea ${id}`);
  await shot(page, '01-thanks.png');

  // b. sign in, find it on the board -------------------------------------------
  step = 'b. board';
  await go(page, `${base}/login`);
  await page.fill('#token', token);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: STEP_TIMEOUT_MS }),
    page.click('form button[type=submit]:has-text("Sign in")'),
  ]);
  const cookies = await staff.cookies(base);
  const session = cookies.find((c) => c.name === 'ideatriage_session');
  check(session, 'signing in set no session cookie');
  check(!session.value.includes(token), 'the session cookie holds the API token');
  check(session.httpOnly && session.sameSite === 'Strict', 'the session cookie is not HttpOnly + SameSite=Strict');
  await go(page, `${base}/board`);
  check(await page.locator('#backlog').count() === 1, 'the board has no #backlog table');
  check(await page.locator('#mix-chart').count() === 1, 'the board has no #mix-chart SVG');
  await checkLabels(page, '/board');
  // search with the board's own filter form
  await page.fill('form.filters input[name=q]', `zq${suffix}`);
  await Promise.all([
    page.waitForURL(/[?&]q=/, { timeout: STEP_TIMEOUT_MS }),
    page.click('form.filters button[type=submit]'),
  ]);
  const row = page.locator(`#row-${id}`);
  check(await row.count() === 1, `idea ${id} is not on the board when searching for its title (${page.url()})`);
  const rowText = await row.innerText();
  check(rowText.includes(privateTitle), `row #row-${id} does not show the title: ${rowText}`);
  check(await page.locator('#backlog tbody tr[id^=row-]').count() === 1,
        'the search should find exactly one idea');
  // and unfiltered too (a fresh database: it ranks on the first page)
  await go(page, `${base}/board`);
  check(await page.locator(`#row-${id}`).count() === 1, `idea ${id} is not on the unfiltered board`);
  await shot(page, '02-board.png');

  // c. triage: refused without a public title, then planned + public -----------
  step = 'c. triage';
  await go(page, `${base}/ideas/${id}`);
  check((await page.locator('#idea-title').innerText()).includes(privateTitle), 'the idea page shows another title');
  check((await page.locator('#idea-visibility').innerText()).trim() === 'internal', 'a new idea should be internal');
  await checkLabels(page, `/ideas/${id}`);
  await page.selectOption('#status', 'planned');
  await page.selectOption('#visibility', 'public');
  await page.fill('#public_title', '');
  await Promise.all([page.waitForLoadState('load'), page.waitForEvent('response', (r) =>
    r.request().method() === 'POST' && r.url().includes(`/ideas/${id}`)), page.click('#save')]);
  await page.waitForLoadState('load');
  const err = page.locator('.error');
  check(await err.count() >= 1, 'publishing without a public title should show an .error');
  const errText = (await err.first().innerText()).trim();
  check(/public.?title/i.test(errText), `the error should name the public title: ${errText}`);
  check((await page.locator('#idea-visibility').innerText()).trim() === 'internal',
        'a refused publish must leave the idea internal');
  check((await page.locator('#idea-status').innerText()).trim() !== 'planned',
        'a refused save must change nothing (status became planned)');
  log(`refused without a public title: "${errText}"`);
  // the refused page re-renders from the database: choose again
  await page.selectOption('#status', 'planned');
  await page.selectOption('#visibility', 'public');
  await page.fill('#public_title', publicTitle);
  await Promise.all([
    page.waitForURL(/[?&]saved=1/, { timeout: STEP_TIMEOUT_MS }),
    page.click('#save'),
  ]);
  const notice = page.locator('.notice');
  check(await notice.count() === 1 && (await notice.innerText()).includes('Saved.'), 'no "Saved." notice after saving');
  check((await page.locator('#idea-status').innerText()).trim() === 'planned', '#idea-status should be planned');
  check((await page.locator('#idea-visibility').innerText()).trim() === 'public', '#idea-visibility should be public');
  check(await page.locator('#public_title').inputValue() === publicTitle, 'the public title was not kept');
  await shot(page, '03-idea.png');

  // d. the public roadmap, as a stranger --------------------------------------
  step = 'd. public roadmap';
  const stranger = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  stranger.setDefaultTimeout(STEP_TIMEOUT_MS);
  check((await stranger.cookies()).length === 0, 'the fresh context should have no cookie');
  const pub = await stranger.newPage();
  pub.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      consoleErrors.push(m.text());
  });
  pub.on('pageerror', (e) => consoleErrors.push(String(e)));
  // the public roadmap is cached per worker for a few seconds, but any change
  // made by this process drops the cache: it must show the idea at once
  await go(pub, `${base}/roadmap/public`);
  const next = pub.locator('section:has(#h-next)');
  check(await next.count() === 1, 'the public roadmap has no "Next" column (section with #h-next)');
  check(/next/i.test(await pub.locator('#h-next').innerText()), 'the #h-next heading does not say Next');
  const card = next.locator(`#idea-${id}`);
  check(await card.count() === 1, `idea ${id} is not in the Next column`);
  check((await card.innerText()).includes(publicTitle), `card #idea-${id} does not show the public title`);
  for (const sel of ['#h-now', '#h-later'])
    check(await pub.locator(`section:has(${sel}) #idea-${id}`).count() === 0, `idea ${id} also shows under ${sel}`);
  const html = await pub.content();
  const text = await pub.locator('body').innerText();
  for (const [what, s] of [['private title', privateTitle], ['private title suffix', `zq${suffix}`],
                           ['private body', privateBody], ['private body marker', `body-${suffix}`],
                           ['employee e-mail', employeeEmail], ['employee name', employeeName]]) {
    check(!html.includes(s) && !text.includes(s), `the public roadmap leaks the ${what}: ${s}`);
  }
  check(!html.includes(`/ideas/${id}`), 'the public roadmap links the internal idea page');
  await shot(pub, '04-public-roadmap.png');

  await pub.setViewportSize({ width: 390, height: 844 });
  await go(pub, `${base}/roadmap/public`);
  const widths = await pub.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth,
    client: document.scrollingElement.clientWidth,
  }));
  check(widths.scroll <= 390 + 1,
        `at 390 px wide the page scrolls sideways: scrollWidth ${widths.scroll} (client ${widths.client})`);
  check(await pub.locator(`#idea-${id}`).isVisible(), 'the card is not visible at phone width');
  await shot(pub, '05-public-phone.png');
  await stranger.close();

  // e. a restatement is offered as similar; fold it in, then undo -------------
  step = 'e. fold';
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  other.setDefaultTimeout(STEP_TIMEOUT_MS);
  const emp = await other.newPage();
  await go(emp, `${base}/submit`);
  await emp.fill('#name', `Sam Employee ${suffix}`);
  await emp.fill('#email', `sam.${suffix}@corp.example`);
  await emp.fill('#title', 'Darker admin console colours for the night shift');
  await emp.fill('#body', `Same ask from the support team zq${suffix}.`);
  await Promise.all([
    emp.waitForURL(/\/submit\/thanks/, { timeout: STEP_TIMEOUT_MS }),
    emp.click('form button[type=submit]'),
  ]);
  check(/merged=0/.test(emp.url()), `the restatement should be a new idea to fold by hand: ${emp.url()}`);
  const m2 = /^\/ideas\/(\d+)$/.exec((await emp.locator('#idea-link').getAttribute('href')) || '');
  check(m2, 'the second thank-you page has no idea link');
  const id2 = m2[1];
  await other.close();
  await go(page, `${base}/ideas/${id}`);
  const fold = page.locator(`button[data-fold="${id2}"]`);
  check(await fold.count() === 1, `idea ${id2} is not offered under "Similar ideas" of idea ${id}`);
  await Promise.all([page.waitForURL(/[?&]folded=/, { timeout: STEP_TIMEOUT_MS }), fold.click()]);
  const folded = page.locator('.notice');
  check(await folded.count() === 1 && (await folded.innerText()).includes(`#${id2}`),
        'no notice naming the folded idea');
  check((await page.locator('body').innerText()).includes('2 mentions'), 'the demand should count both mentions');
  check(await page.locator(`button[data-fold="${id2}"]`).count() === 0, 'a folded idea is still offered');
  await shot(page, '06-folded.png');
  await go(page, `${base}/ideas/${id2}`);
  check((await page.locator('#idea-status').innerText()).trim() === 'merged', `idea ${id2} should show merged`);
  await Promise.all([page.waitForURL(/[?&]unfolded=1/, { timeout: STEP_TIMEOUT_MS }), page.click('#unfold')]);
  check((await page.locator('#idea-status').innerText()).trim() === 'new', `idea ${id2} should be live again`);
  await shot(page, '07-unfolded.png');
  log(`folded idea ${id2} into ${id} and undid it`);

  // f. sign out: the session ends on the server, the cookie goes --------------
  step = 'f. sign out';
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login', { timeout: STEP_TIMEOUT_MS }),
    page.click('button:has-text("Sign out")'),
  ]);
  check(!(await staff.cookies(base)).some((c) => c.name === 'ideatriage_session'),
        'signing out left the session cookie');
  await go(page, `${base}/board`);
  check(new URL(page.url()).pathname === '/login', `after signing out /board went to ${page.url()}`);
  log('signed out');

  step = 'end';
  check(consoleErrors.length === 0, `the pages logged errors: ${consoleErrors.join(' | ')}`);
  check(problems.length === 0, problems.join('; '));
  await staff.close();
  log(`ok: idea ${id} went from the form to the public roadmap; screenshots in ${outdir}`);
} catch (e) {
  console.error(`flow: FAILED ${e && e.message ? e.message : e}`);
  code = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(code);
