// Browser tests of the web timeline, run by the server package's Go test
// (TestBrowser), which ingests the cases and starts the servers:
//   KISEKI_URL      the sample case
//   KISEKI_HOSTILE  a case whose log lines carry markup, script URLs,
//                   terminal escapes and a 10 MB field
//   KISEKI_OUT      a directory for screenshots and the result file
// Drives Debian's chromium through playwright-core; never downloads a browser.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.KISEKI_URL;
const hostile = process.env.KISEKI_HOSTILE;
const out = process.env.KISEKI_OUT || mkdtempSync(join(tmpdir(), 'kiseki-shots-'));
let passed = 0, failed = 0;
const results = [];

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    results.push({ name, ok: true, ms: Date.now() - t0 });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    results.push({ name, ok: false, error: String(e && e.stack || e) });
    console.log(`FAIL ${name}: ${e && e.stack || e}`);
    try { await page.screenshot({ path: join(out, `fail-${name.replace(/\W+/g, '-')}.png`) }); } catch {}
  }
}
function assert(c, msg) { if (!c) throw new Error(msg); }

const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'kiseki-chromium-')), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  viewport: { width: 1400, height: 900 },
  timezoneId: 'UTC',
});
ctx.setDefaultTimeout(15000);
const page = await ctx.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('dialog', (d) => { pageErrors.push('dialog: ' + d.message()); d.dismiss(); });

const rows = 'table.events tbody tr';
const firstTime = () => page.locator(`${rows} td.time`).first().textContent();
async function apiJSON(path) { return page.evaluate(async (p) => (await fetch(p)).json(), path); }
async function histTotal() { return Number(await page.locator('[data-testid=histogram]').getAttribute('data-total')); }

await check('open the case', async () => {
  await page.goto(base + '/');
  await page.waitForSelector(rows);
  assert((await page.locator(rows).count()) === 100, 'first page has 100 rows');
  const t = await firstTime();
  assert(t.startsWith('2025-12-30 00:00:38.000 +00:00'), 'first event time in UTC: ' + t);
  const info = await apiJSON('/api/v1/case');
  assert((await histTotal()) === info.events, `histogram total ${await histTotal()} = events ${info.events}`);
  await page.waitForSelector('#facets fieldset');
  assert((await page.locator('#facets').textContent()).includes('web01'), 'facets list hosts');
  await page.screenshot({ path: join(out, 'timeline.png') });
});

await check('search with the query language', async () => {
  await page.fill('#q', 'status:404');
  await page.press('#q', 'Enter');
  const want = (await apiJSON('/api/v1/count?q=status%3A404')).total;
  await page.waitForFunction((w) => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === w, want);
  const n = await page.locator(rows).count();
  assert(n === Math.min(100, want) && want > 0, `rows ${n} for ${want} matches`);
  const sums = await page.locator(`${rows} td.summary`).allTextContents();
  assert(sums.every((s) => / 404( |$)/.test(s)), 'every row is a 404');
  assert(new URL(page.url()).searchParams.get('q') === 'status:404', 'query in the address');
});

await check('facet filter', async () => {
  await page.fill('#q', '');
  await page.press('#q', 'Enter');
  await page.locator('#facets label.fv', { hasText: 'db01' }).locator('input').check();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === 400);
  const hosts = await page.locator(`${rows} td:nth-child(3)`).allTextContents();
  assert(hosts.every((h) => h === 'db01'), 'only db01 rows');
  await page.locator('#facets label.fv', { hasText: 'db01' }).locator('input').uncheck();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) > 400);
});

await check('brush the histogram to zoom', async () => {
  const before = await histTotal();
  const box = await page.locator('.hist-plot .u-over').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('from'));
  const u = new URL(page.url());
  const from = Date.parse(u.searchParams.get('from')), to = Date.parse(u.searchParams.get('to'));
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) < b, before);
  const t = Date.parse((await apiJSON('/api/v1/events?limit=1&' + u.searchParams.toString())).events[0].time);
  assert(t >= from && t <= to, 'first event inside the brushed range');
  const want = (await apiJSON('/api/v1/count?' + new URLSearchParams({ from: u.searchParams.get('from'), to: u.searchParams.get('to') }))).total;
  assert((await histTotal()) === want, `zoomed total ${await histTotal()} = count ${want}`);
  const first = await page.locator(`${rows}`).first().getAttribute('data-row');
  assert(first !== null, 'rows after zoom');
  await page.click('text=Whole timeline');
  await page.waitForFunction(() => !new URL(location.href).searchParams.get('from'));
});

await check('jump to a time', async () => {
  await page.fill('#jump', '2025-12-31 15:00');
  await page.press('#jump', 'Enter');
  await page.waitForFunction(() => (document.querySelector('table.events tbody tr td.time')?.textContent || '') >= '2025-12-31 15:00');
  const t = await firstTime();
  assert(t >= '2025-12-31 15:00:00' && t < '2025-12-31 15:01', 'first row at the time: ' + t);
  // Older events exist before the jump target; paging back reaches them.
  await page.click('text=Older');
  await page.waitForFunction(() => (document.querySelector('table.events tbody tr td.time')?.textContent || '') < '2025-12-31 15:00');
  // A click on the histogram jumps too.
  const box = await page.locator('.hist-plot .u-over').boundingBox();
  await page.mouse.click(box.x + box.width * 0.9, box.y + box.height / 2);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('at') && !new URL(location.href).searchParams.get('at').startsWith('2025-12-31 15'));
});

await check('switch the display zone', async () => {
  await page.goto(base + '/');
  await page.waitForSelector(rows);
  const utc = await firstTime();
  await page.selectOption('#tz', 'case');
  await page.waitForFunction((u) => document.querySelector('table.events tbody tr td.time').textContent !== u, utc);
  const tokyo = await firstTime();
  assert(tokyo === '2025-12-30 09:00:38.000 +09:00', 'case zone time: ' + tokyo);
  assert((await page.locator('[data-testid=zone]').textContent()).includes('Asia/Tokyo'), 'zone label');
  await page.selectOption('#tz', 'other');
  await page.fill('#tzother', 'America/New_York');
  await page.press('#tzother', 'Enter');
  await page.waitForFunction(() => document.querySelector('table.events tbody tr td.time').textContent.endsWith('-05:00'));
  assert((await firstTime()) === '2025-12-29 19:00:38.000 -05:00', 'New York time');
  const csvHref = await page.locator('a', { hasText: 'Export CSV' }).getAttribute('href');
  assert(csvHref.includes('tz=America%2FNew_York'), 'export follows the zone: ' + csvHref);
  const csv = await page.evaluate(async (h) => (await fetch(h)).text(), csvHref);
  assert(csv.split('\n')[1].startsWith('2025-12-29T19:00:38'), 'CSV export in the display zone');
  await page.reload();
  await page.waitForSelector(rows);
  assert((await firstTime()).endsWith('-05:00'), 'zone kept after reload');
  await page.selectOption('#tz', 'UTC');
  await page.waitForFunction(() => document.querySelector('table.events tbody tr td.time').textContent.endsWith('+00:00'));
});

let starredRow;
await check('open event detail with its reference', async () => {
  await page.locator(rows).nth(3).click();
  await page.waitForSelector('[data-testid=detail]');
  starredRow = await page.locator('[data-testid=detail]').getAttribute('data-row');
  const text = await page.locator('[data-testid=detail]').textContent();
  assert(/Reference.*E000\d:web01\/nginx\/access\.log\.1\.gz:4/.test(text), 'reference shown: ' + text.slice(0, 300));
  assert(/SHA-256 [0-9a-f]{64}/.test(text), 'evidence hash shown');
  assert(text.includes('Raw record (from evidence)') && text.includes('HTTP/1.1'), 'raw bytes shown');
  await page.click('text=±1 min');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('from'));
  const u = new URL(page.url());
  assert(Date.parse(u.searchParams.get('to')) - Date.parse(u.searchParams.get('from')) === 120000, 'context window ±1 min');
  await page.waitForFunction((r) => document.querySelector(`tr[data-row="${r}"]`), starredRow);
  await page.screenshot({ path: join(out, 'detail.png') });
});

await check('star and comment, found after a reload', async () => {
  const star = async (want) => {
    await page.click('[data-testid=detail-star]');
    await page.waitForFunction((w) => document.querySelector('[data-testid=detail-star]').getAttribute('aria-pressed') === w, want);
  };
  if ((await page.locator('[data-testid=detail-star]').getAttribute('aria-pressed')) === 'true') await star('false');
  await star('true');
  await page.fill('#commentin', 'Attacker\'s first request <b>not bold</b>');
  await page.click('button:has-text("Comment")');
  await page.waitForFunction(() => document.querySelector('[data-testid=comments]').textContent.includes('first request'));
  await page.fill('#tagin', 'initial-access');
  await page.press('#tagin', 'Enter');
  await page.waitForFunction((r) => document.querySelector(`tr[data-row="${r}"]`)?.textContent.includes('initial-access'), starredRow);
  await page.reload();
  await page.waitForSelector(`tr[data-row="${starredRow}"]`);
  // Annotations may arrive after the rows: wait for the star, do not sample.
  await page.waitForFunction((r) => document.querySelector(`tr[data-row="${r}"] button.star`)?.getAttribute('aria-pressed') === 'true', starredRow, { timeout: 5000 })
    .catch(() => { throw new Error('star kept after reload'); });
  await page.locator(`tr[data-row="${starredRow}"]`).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=comments]')?.textContent.includes('<b>not bold</b>'));
  assert((await page.locator('[data-testid=comments] b').count()) === 0, 'comment markup is text');
  await page.goto(base + '/annotations');
  assert((await page.locator('#annotated').textContent()).includes("Attacker's first request"), 'annotations page');
});

await check('keyboard navigation', async () => {
  await page.goto(base + '/');
  await page.waitForSelector(rows);
  await page.locator('body').press('j');
  await page.keyboard.press('j');
  // The selection renders after the key event: wait for it, do not sample.
  await page.waitForFunction(() => document.querySelector('tr.sel')?.dataset.row === '2', null, { timeout: 5000 })
    .catch(() => { throw new Error('j moves down'); });
  await page.keyboard.press('k');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=detail][data-row="1"]');
  await page.keyboard.press('Escape');
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('tr.sel')?.dataset.row === String(3104));
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('tr.sel')?.dataset.row === '0');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelectorAll('table.events tbody tr').length === 200);
  await page.keyboard.press('/');
  assert(await page.evaluate(() => document.activeElement.id === 'q'), '/ focuses the search');
});

await check('accessibility (axe): no serious findings', async () => {
  for (const p of ['/', '/evidence', '/annotations', '/event/3']) {
    await page.goto(base + p);
    if (p === '/') {
      await page.waitForSelector(rows);
      await page.locator(rows).nth(1).click();
      await page.waitForSelector('[data-testid=detail]');
    }
    const r = await new AxeBuilder({ page }).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert(bad.length === 0, p + ': ' + bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('; '));
  }
});


// The report writer's walk: an error shows where it was made, Back steps
// through searches, a zone switch keeps the position, context shows every
// event around one, a saved search keeps its filters, every row says what
// its time is.
await check('errors show where the user acted', async () => {
  await page.goto(base + '/');
  await page.waitForSelector(rows);
  await page.fill('#q', 'status:404 AND (');
  await page.press('#q', 'Enter');
  const e = page.locator('#searcherror [data-testid=error]');
  await e.waitFor({ state: 'visible' });
  assert((await e.getAttribute('data-where')) === 'query', 'query error: ' + await e.textContent());
  assert(Number(await e.getAttribute('data-pos')) >= 0, 'query error has a position in the user text: ' + await e.textContent());
  const caret = (await page.locator('[data-testid=caret]').textContent()).split('\n');
  assert(caret[0] === 'status:404 AND (' && caret[1] === ' '.repeat(16) + '^', 'the caret is after the user text: ' + JSON.stringify(caret));
  assert((await page.locator('p.empty').count()) === 0, '"No events match." hides the error');
  assert(!(await page.locator('#histogram').textContent()).includes('Loading'), 'histogram not loading forever');
  await page.screenshot({ path: join(out, 'error-query.png') });
  await page.fill('#q', '');
  await page.press('#q', 'Enter');
  await page.waitForSelector(rows);
  assert((await page.locator('#searcherror [data-testid=error]').count()) === 0, 'error cleared');
  await page.fill('#jump', 'next tuesday');
  await page.press('#jump', 'Enter');
  await e.waitFor({ state: 'visible' });
  assert((await e.getAttribute('data-where')) === 'jump', 'jump error: ' + await e.textContent());
  await page.goto(base + '/?tz=Mars%2FOlympus');
  await e.waitFor({ state: 'visible' });
  assert((await e.getAttribute('data-where')) === 'zone', 'zone error: ' + await e.textContent());
  await page.screenshot({ path: join(out, 'error-zone.png') });
});

await check('Back and Forward step through searches', async () => {
  await page.goto(base + '/?tz=UTC');
  await page.waitForSelector(rows);
  for (const q of ['status:404', 'status:200']) {
    await page.fill('#q', q);
    await page.press('#q', 'Enter');
    await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q, q);
  }
  await page.goBack();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'status:404');
  await page.waitForFunction(() => document.getElementById('q').value === 'status:404');
  const want = (await apiJSON('/api/v1/count?q=status%3A404')).total;
  await page.waitForFunction((w) => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === w, want);
  await page.goForward();
  await page.waitForFunction(() => document.getElementById('q').value === 'status:200');
});

await check('zone switch keeps the position; rows say their time type', async () => {
  await page.goto(base + '/?tz=UTC');
  await page.waitForSelector(rows);
  await page.fill('#jump', '2025-12-31 15:00');
  await page.press('#jump', 'Enter');
  await page.waitForFunction(() => (document.querySelector('table.events tbody tr td.time')?.textContent || '') >= '2025-12-31 15:00');
  await page.locator(rows).nth(5).click();
  const row = await page.locator(rows).nth(5).getAttribute('data-row');
  await page.keyboard.press('Escape');
  await page.selectOption('#tz', 'case');
  await page.waitForFunction(() => document.querySelector('table.events tbody tr td.time').textContent.endsWith('+09:00'));
  assert((await page.locator(`${rows}.sel`).getAttribute('data-row')) === row, 'the selected row is still selected after the switch');
  const t = await page.locator(`${rows}.sel td.time`).textContent();
  assert(t.startsWith('2026-01-01 00:0') && t.endsWith('+09:00'), 'the same event (after 2025-12-31 15:00 UTC), in the new zone: ' + t);
  const types = await page.locator(`${rows} td.tdesc`).allTextContents();
  assert(types.length > 0 && types.every((t) => t.trim() !== ''), 'every row has a time type: ' + types.slice(0, 5));
  const fs = (await apiJSON('/api/v1/events?limit=1&q=' + encodeURIComponent('time_desc:mtime'))).events;
  if (fs.length) {
    await page.fill('#q', 'time_desc:mtime');
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => document.querySelector('table.events tbody tr td.tdesc')?.textContent.trim() === 'M');
  }
  await page.selectOption('#tz', 'UTC');
  await page.waitForFunction(() => document.querySelector('table.events tbody tr td.time').textContent.endsWith('+00:00'));
});

await check('context is every event around one; a saved search keeps its filters', async () => {
  await page.goto(base + '/?tz=UTC&q=status%3A404');
  await page.waitForSelector(rows);
  await page.locator(rows).nth(2).click();
  await page.waitForSelector('[data-testid=detail]');
  const row = await page.locator('[data-testid=detail]').getAttribute('data-row');
  await page.click('text=±1 min');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('from'));
  const u = new URL(page.url());
  assert(!u.searchParams.get('q'), 'context drops the query: ' + u.search);
  const want = (await apiJSON('/api/v1/count?' + new URLSearchParams({ from: u.searchParams.get('from'), to: u.searchParams.get('to') }))).total;
  await page.waitForFunction((w) => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === w, want);
  await page.waitForFunction((r) => document.querySelector(`tr[data-row="${r}"]`), row);
  await page.goto(base + '/?tz=UTC&q=status%3A404&host=web01');
  await page.waitForSelector(rows);
  const filtered = (await apiJSON('/api/v1/count?q=status%3A404&host=web01')).total;
  await page.fill('#savename', 'web01 404s');
  await page.press('#savename', 'Enter');
  await page.locator('.saved button', { hasText: 'web01 404s' }).waitFor();
  await page.goto(base + '/?tz=UTC');
  await page.waitForSelector(rows);
  await page.locator('.saved button', { hasText: 'web01 404s' }).click();
  await page.waitForFunction((w) => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === w, filtered);
});

await check('tags and stars are searchable', async () => {
  await page.goto(base + '/?tz=UTC&q=status%3A404');
  await page.waitForSelector(rows);
  await page.locator(rows).nth(1).click();
  await page.waitForSelector('[data-testid=detail]');
  const row = await page.locator('[data-testid=detail]').getAttribute('data-row');
  await page.fill('#tagin', 'webshell-upload');
  await page.press('#tagin', 'Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=detail] .tags')?.textContent.includes('webshell-upload'));
  await page.fill('#q', 'tag:webshell-upload');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === 1);
  assert((await page.locator(rows).count()) === 1 && (await page.locator(rows).first().getAttribute('data-row')) === row, 'tag: finds the tagged event');
  const starred = (await apiJSON('/api/v1/count?q=' + encodeURIComponent('starred:true'))).total;
  assert(starred >= 1, 'starred:true finds the starred events: ' + starred);
  await page.screenshot({ path: join(out, 'tag-search.png') });
});

await check('histogram bars follow the matches', async () => {
  // The attacker's enumeration: minutes of a days-long timeline. The bars
  // cover the span of the matches, not one bar of the whole timeline's width.
  const q = 'ip:203.0.113.66 AND url:/api/customer*';
  const n = (await apiJSON('/api/v1/count?q=' + encodeURIComponent(q))).total;
  const whole = (await apiJSON('/api/v1/histogram?q=' + encodeURIComponent(q))).buckets.filter((b) => b.count > 0).length;
  await page.goto(base + '/?tz=UTC&q=' + encodeURIComponent(q));
  await page.waitForFunction((w) => Number(document.querySelector('[data-testid=histogram]')?.dataset.total) === w, n);
  const h = page.locator('[data-testid=histogram]');
  assert(n > 20 && whole <= 2, `the matches fill ${whole} bars of the timeline's histogram`);
  assert((await h.getAttribute('data-refined')) === 'true', 'histogram refined to the matches: ' + await h.getAttribute('data-interval'));
  const bars = await page.evaluate(() => document.querySelector('.hist-plot') !== null);
  assert(bars, 'histogram drawn');
  await page.screenshot({ path: join(out, 'histogram-matches.png') });
});

await check('the report starts from the starred web shell request', async () => {
  await page.goto(base + '/?tz=UTC&q=' + encodeURIComponent('url:/uploads/.cache/img.php*'));
  await page.waitForSelector(rows);
  const star = page.locator(rows).first().locator('button.star');
  if ((await star.getAttribute('aria-pressed')) !== 'true') await star.click();
  await page.waitForFunction(() => document.querySelector('table.events tbody tr button.star')?.getAttribute('aria-pressed') === 'true');
  const r = await apiJSON('/api/v1/report?format=json');
  assert(r.summary.indicators_used.includes('203.0.113.66'), 'seeds from the stars: ' + r.summary.indicators_used);
  assert(r.summary.compromised === true, 'the report says compromised');
  assert(r.chronology.some((s) => s.kind === 'compromise'), 'the chronology has the compromise');
});

await check('bulk tag on a selection', async () => {
  await page.goto(base + '/?tz=UTC&q=' + encodeURIComponent('status:404'));
  await page.waitForSelector(rows);
  await page.waitForSelector('[data-testid=histogram]'); // the page has settled (rows are not drawn again under the clicks)
  const chosen = [];
  for (const i of [4, 5, 6]) {
    await page.locator(rows).nth(i).locator('input.pick').check();
    chosen.push(await page.locator(rows).nth(i).getAttribute('data-row'));
  }
  // The selection count is rendered after the third check's state update.
  await page.waitForFunction(() => document.querySelector('[data-testid=bulk]')?.textContent.includes('3 chosen'), null, { timeout: 5000 }).catch(() => {});
  assert((await page.locator('[data-testid=bulk]').textContent()).includes('3 chosen'), 'three chosen');
  await page.fill('#bulktag', 'probe-404');
  await page.click('text=Tag chosen');
  await page.waitForFunction(() => !document.querySelector('[data-testid=bulk]'));
  const found = (await apiJSON('/api/v1/events?limit=10&q=' + encodeURIComponent('tag:probe-404'))).events.map((e) => String(e.row));
  assert(found.length === 3 && chosen.every((r) => found.includes(r)), 'the three are tagged: ' + found);
});

await check('hostile content renders inert', async () => {
  await page.goto(hostile + '/');
  await page.waitForSelector(rows);
  const text = await page.locator('table.events').textContent();
  assert(text.includes('<script>window.__pwned=1</script>'), 'markup shown as text');
  await page.locator(rows).first().click();
  await page.waitForSelector('[data-testid=detail]');
  const n = await page.locator(rows).count();
  assert(n === 5, 'five hostile events: ' + n);
  for (let i = 0; i < n; i++) {
    const r = await page.locator(rows).nth(i).getAttribute('data-row');
    await page.locator(rows).nth(i).click();
    await page.waitForFunction((r) => document.querySelector('[data-testid=detail]')?.dataset.row === r, r).catch((e) => { throw new Error(`detail of row ${r}: ${e}`); });
  }
  await page.locator(rows).nth(0).hover();
  await page.locator(rows).nth(4).hover();
  const state = await page.evaluate(() => ({
    pwned: window.__pwned,
    scripts: [...document.scripts].map((s) => s.src),
    jsLinks: [...document.querySelectorAll('[href],[src]')].filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
    injected: document.querySelectorAll('img[src=x], svg[onload], iframe, [onerror], [onmouseover]').length,
    rowText: document.querySelector('table.events tbody').textContent.length,
  }));
  assert(state.pwned === undefined, 'a script ran: ' + state.pwned);
  assert(state.scripts.length === 1 && state.scripts[0].endsWith('/assets/app.js'), 'only the app script: ' + state.scripts);
  assert(state.jsLinks === 0 && state.injected === 0, 'no javascript: links or injected elements');
  assert(state.rowText < 100000, 'the 10 MB field is cut in the grid: ' + state.rowText);
  const esc = await page.locator('table.events').textContent();
  assert(!esc.includes('\x1b'), 'terminal escapes neutralised');
  await page.screenshot({ path: join(out, 'hostile.png') });
  for (let r = 0; r < 5; r++) {
    await page.goto(hostile + '/event/' + r);
    assert(await page.evaluate(() => window.__pwned === undefined && document.querySelectorAll('img, svg, iframe').length === 0), 'event page ' + r + ' inert');
  }
  assert(pageErrors.length === 0, 'page errors or dialogs: ' + pageErrors.join('; '));
});

await ctx.close();
writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
