import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, SCREENSHOTS } from './testing/chromium.ts';
import { sampleSinks, startTestServer, type TestServer } from './testing/test-server.ts';

const SHOTS = SCREENSHOTS;
const skip = chromiumMissing;

let browser: Browser;
let page: Page;
let ctx: TestServer;
const problems: string[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  ctx = await startTestServer({ sinks: { sinkHealth: async () => sampleSinks() } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(15_000);
  // Pages answered 400/401 on purpose (bad input, wrong token) log "Failed to load resource"; anything else is a problem.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[01] /.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
});

after(async () => {
  await browser?.close();
  await ctx?.close();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

test('sign in with the token form, then the events page lists, charts and summarizes', { skip }, async () => {
  await page.goto(`${ctx.url}events`);
  assert.match(page.url(), /\/login\?next=%2Fevents$/);
  await shot('01-login');
  await page.fill('input[name=token]', 'wrong-token');
  await page.click('button[type=submit]');
  assert.match((await page.textContent('.banner.error')) ?? '', /not valid/);
  await page.fill('input[name=token]', ctx.server.token);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/events$/);
  assert.equal(await page.locator('table.events tbody tr').count(), 50);
  assert.equal(await page.inputValue('input[name=range]'), '24h', 'the landing page shows the last day');
  assert.equal(await page.textContent('.timepicker a.preset.active'), '24h');
  assert.equal((await page.locator('figure.histogram svg rect.bar').count()) > 10, true);
  assert.match((await page.textContent('.pager')) ?? '', /50 shown of 300 matching/);
  assert.match((await page.textContent('aside.facets')) ?? '', /Top users[\s\S]*alice@contoso\.com/);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'o365_intake_session');
  assert.ok(session?.httpOnly && session.sameSite === 'Strict', 'session cookie is HttpOnly and SameSite=Strict');
  assert.notEqual(session.value, ctx.server.token, 'the cookie is not the token');
  assert.ok(!(await page.content()).includes(ctx.server.token), 'the token is never rendered');
  await shot('02-events');

  await page.click('a[rel=next]');
  await page.waitForURL(/cursor=/);
  assert.equal(await page.locator('table.events tbody tr').count(), 50);
});

test('full-text search and field filters narrow the list', { skip }, async () => {
  await page.goto(`${ctx.url}events`);
  await page.fill('input.q', 'drop@evil.example');
  await page.click('details.filters summary');
  await page.selectOption('select[name=outcome]', 'success');
  await page.fill('input[name=tenant]', 'contoso');
  await page.click('form.search button[type=submit]');
  await page.waitForURL(/q=drop%40evil\.example/);
  const operations = await page.locator('table.events tbody tr td:nth-child(3)').allTextContents();
  assert.equal(operations.length, 50);
  assert.match((await page.textContent('.pager')) ?? '', /of 50 matching/);
  assert.ok(operations.every((op) => op.trim() === 'New-InboxRule'));
  const tenants = await page.locator('table.events tbody tr td:nth-child(2)').allTextContents();
  assert.ok(tenants.every((t) => t.trim() === 'contoso'));
  await shot('03-search');

  // Pivot: clicking an IP filters on it.
  const ip = (await page.locator('table.events tbody tr td:nth-child(5) a').first().textContent())!.trim();
  await page.locator('table.events tbody tr td:nth-child(5) a').first().click();
  await page.waitForURL(/ip=/);
  const ips = await page.locator('table.events tbody tr td:nth-child(5)').allTextContents();
  assert.ok(ips.length > 0 && ips.every((v) => v.trim() === ip));

  await page.goto(`${ctx.url}events?from=not-a-time`);
  assert.match((await page.textContent('.banner.error')) ?? '', /from: "not-a-time" is not a time/);
});

test('an event shows ECS and raw side by side', { skip }, async () => {
  await page.goto(`${ctx.url}events?action=New-InboxRule&tenant=contoso`);
  await page.locator('table.events tbody tr td.desc a').first().click();
  await page.waitForURL(/\/events\/[^?]+\?/);
  assert.match((await page.textContent('h1')) ?? '', /created an inbox rule/);
  await page.click('details.json-panes summary');
  assert.match((await page.textContent('#ecs-json')) ?? '', /"event": \{\s+"action": "New-InboxRule"/);
  assert.match((await page.textContent('#raw-json')) ?? '', /"ForwardTo"[\s\S]*"drop@evil\.example"/);
  const [ecsBox, rawBox] = await Promise.all([page.locator('#ecs-json').boundingBox(), page.locator('#raw-json').boundingBox()]);
  assert.ok(ecsBox && rawBox && ecsBox.x < rawBox.x && Math.abs(ecsBox.y - rawBox.y) < 5, 'ECS left of raw, same row');
  assert.match((await page.textContent('.linked-alerts')) ?? '', /alert-/);
  await shot('04-event');
});

test('open an alert, see its events, follow one back', { skip }, async () => {
  await page.goto(`${ctx.url}alerts?view=list`);
  assert.equal(await page.locator('table.alerts tbody tr').count(), 3);
  assert.equal(await page.locator('table.alerts .badge.level-critical').count(), 1);
  await shot('05-alerts');
  await page.click('text=Member added to Global Administrator role');
  await page.waitForURL(/\/alerts\/alert-admin-role$/);
  assert.match((await page.textContent('dl.facts')) ?? '', /T1098\.003/);
  assert.equal(await page.locator('table.events tbody tr').count(), 1);
  await shot('06-alert');
  await page.click('text=Open in search');
  await page.waitForURL(/\/events\?alert=alert-admin-role/);
  assert.match((await page.textContent('.pager')) ?? '', /1 shown of 1 matching/);
  await page.goBack();
  await page.locator('table.events tbody tr td.desc a').click();
  await page.waitForURL(/\/events\//);
  assert.match((await page.textContent('h1')) ?? '', /added a member to role Global Administrator/);
  assert.equal(await page.locator('.linked-alerts a', { hasText: 'alert-admin-role' }).count(), 1);

  await page.goto(`${ctx.url}alerts?level=high`);
  const levels = await page.locator('table.alerts tbody .badge[class*=level-]').allTextContents();
  assert.deepEqual(levels.sort(), ['critical', 'high']);
});

test('health shows every stream with its errors and lag', { skip }, async () => {
  await page.goto(`${ctx.url}health`);
  const text = (await page.textContent('table.health')) ?? '';
  assert.match(text, /AF20023/);
  assert.match(text, /BLOB_QUARANTINED/);
  assert.equal(await page.locator('table.health:not(.outputs) .badge.status-error').count(), 1);
  assert.ok((await page.locator('table.health:not(.outputs) tbody tr').count()) >= 3);

  const outputs = page.locator('table.outputs');
  assert.equal(await outputs.locator('tbody tr').count(), 3);
  const sekoia = outputs.locator('tbody tr', { hasText: 'sekoia-soc' });
  assert.equal(await sekoia.locator('.badge.status-error').count(), 1);
  assert.match(
    (await sekoia.textContent()) ?? '',
    /refused \(rejected\): HTTP 401: \{"message":"<b>invalid<\/b> intake key"\}/,
    'the error text is shown as text',
  );
  assert.equal(await sekoia.locator('b').count(), 0, 'no markup from the destination is rendered');
  assert.match((await sekoia.textContent()) ?? '', /1,250/);
  const elastic = outputs.locator('tbody tr', { hasText: 'elastic' });
  assert.equal(await elastic.locator('.badge.status-degraded').count(), 1);
  assert.match((await elastic.textContent()) ?? '', /635 MiB\s+of 1\.0 GiB \(62%\)/);
  const outputsBox = await outputs.boundingBox();
  const streamsBox = await page.locator('table.health:not(.outputs)').boundingBox();
  assert.ok(
    outputsBox && streamsBox && outputsBox.y > streamsBox.y + streamsBox.height,
    'Outputs sit under the collection table',
  );
  await shot('07-health');
});

test('dark colour scheme', { skip }, async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${ctx.url}events?range=all&workload=Exchange`);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(15, 19, 24)');
  await shot('08-events-dark');
  await page.goto(`${ctx.url}alerts/alert-bruteforce`);
  await shot('09-alert-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('no script error and no CSP violation on any page', { skip }, async () => {
  assert.deepEqual(problems, [], problems.join('\n'));
});
