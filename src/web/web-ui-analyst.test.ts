import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sampleAlert, sampleEvents } from '../store/testing/sample-events.ts';
import { NOW, startTestServer, type TestServer } from './testing/test-server.ts';
import { chromiumMissing, launchChromium, SCREENSHOTS } from './testing/chromium.ts';

/** The analyst's workflow in real Chromium: query, time picker, field table, live tail, triage, phone width. */

const SHOTS = SCREENSHOTS;
const skip = chromiumMissing;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let ctx: TestServer;
const problems: string[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  ctx = await startTestServer({ tailPollMs: 200 });
  // A second alert of the inbox-rule rule about the same user: grouping makes one row of the two.
  const inbox = sampleEvents(300).filter((e) => e.raw.Operation === 'New-InboxRule' && e.tenantName === 'contoso');
  const sameUser = inbox.filter((e) => e.raw.UserId === inbox[0]!.raw.UserId);
  ctx.store.insertAlerts([sampleAlert(sameUser.slice(2, 3), { id: 'alert-inbox-again' })]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.url });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 400 /.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${ctx.url}login`);
  await page.fill('input[name=token]', ctx.server.token);
  await page.fill('input[name=name]', 'Dana Analyst');
  await page.click('form.login button[type=submit]');
  await page.waitForURL(/\/events$/);
});

after(async () => {
  await browser?.close();
  await ctx?.close();
});

async function shot(name: string, target: Page = page): Promise<void> {
  // A phone screenshot shows the screen the analyst sees; desktop ones the whole page.
  const fullPage = (target.viewportSize()?.width ?? 0) > 600;
  await target.screenshot({ path: `${SHOTS}${name}.png`, fullPage });
}

async function column(name: string): Promise<string[]> {
  return (await page.locator(`table.events tbody td[data-col=${name}]`).allTextContents()).map((t) => t.trim());
}

async function noHorizontalScroll(target: Page, width: number): Promise<void> {
  const scrollWidth = await target.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `the page is ${scrollWidth}px wide in a ${width}px viewport`);
}

test('search with the query language; a mistake is shown with a caret at its position', { skip }, async () => {
  await page.goto(`${ctx.url}events?range=all`);
  await page.fill('input.q', 'drop@evil.example');
  await page.press('input.q', 'Enter');
  await page.waitForURL(/q=drop%40evil\.example/);
  const operations = await column('action');
  assert.equal(operations.length, 50);
  assert.ok(operations.every((op) => op === 'New-InboxRule'));
  assert.match((await page.textContent('.pager')) ?? '', /of 50 matching/);
  assert.match((await page.textContent('.pager')) ?? '', /Export streams all 50 matching events/);
  await shot('10-query');

  await page.fill('input.q', 'event.outcome:failure AND user.name:');
  await page.press('input.q', 'Enter');
  await page.waitForURL(/q=event\.outcome/);
  const error = page.locator('.query-error');
  assert.match((await error.locator('p').textContent()) ?? '', /"user\.name:" needs a value/);
  assert.equal(await error.locator('.q-before').textContent(), 'event.outcome:failure AND user.name:');
  assert.match((await error.locator('pre.caret').textContent()) ?? '', /\n {36}\^$/);
  assert.equal(await page.getAttribute('input.q', 'aria-invalid'), 'true');
  assert.equal(
    await page.inputValue('input.q'),
    'event.outcome:failure AND user.name:',
    'the query stays in the box to be fixed',
  );
  await shot('11-query-error');

  await page.fill('input.q', 'service.name:Exchange AND NOT event.action:MailItemsAccessed');
  await page.press('input.q', 'Enter');
  await page.waitForURL(/q=service\.name/);
  assert.match(
    (await page.textContent('.pager')) ?? '',
    /of 50 matching/,
    'Exchange has 100 events, half of them MailItemsAccessed',
  );
  assert.ok((await column('workload')).every((w) => w === 'Exchange'));
  assert.ok((await column('action')).every((a) => a === 'New-InboxRule'));
});

test('time picker presets and absolute range; histogram with axes', { skip }, async () => {
  await page.goto(`${ctx.url}events?range=24h`);
  assert.equal(await page.locator('.timepicker a.preset.active').textContent(), '24h');
  await page.click('.timepicker a.preset[data-range="1h"]');
  await page.waitForURL(/range=1h/);
  assert.equal(await page.locator('table.events').count(), 0, 'nothing in the last hour (the newest sample is 2 h old)');
  await page.fill('input[name=from]', '2026-11-24T10:00:00');
  await page.fill('input[name=to]', '2026-11-24T11:00:00');
  await page.click('form.search button[type=submit]');
  await page.waitForURL(/from=2026-11-24T10%3A00/);
  assert.equal(await page.locator('.timepicker a.preset.active').count(), 0, 'an absolute range is not a preset');
  assert.match((await page.textContent('.pager')) ?? '', /of 60 matching/);
  const times = await column('time');
  assert.ok(times.every((t) => t >= '2026-11-24 10:00:00Z' && t < '2026-11-24 11:00:00Z'));
  assert.equal(await page.locator('figure.histogram .x-axis time').count(), 5);
  assert.deepEqual((await page.locator('figure.histogram .y-axis span').allTextContents()).at(-1), '0', 'the y axis runs from 0');
  assert.match((await page.locator('figure.histogram .x-axis time').first().textContent()) ?? '', /^10:00$/);
  await shot('12-time-range');
});

test('event field table: filter for, filter out, copy; the search it came from is kept', { skip }, async () => {
  await page.goto(`${ctx.url}events?range=all&tenant=contoso`);
  await page.locator('table.events tbody tr', { hasText: 'created an inbox rule' }).first().locator('td.desc a').click();
  await page.waitForURL(/\/events\/[^?]+\?/);
  const action = page.locator('#ecs-fields tr[data-field="event.action"]');
  assert.equal((await action.locator('td.value').textContent())?.trim(), 'New-InboxRule');
  assert.equal(
    await page.locator('#raw-fields tr[data-field="Parameters.ForwardTo"] td.value').textContent(),
    'drop@evil.example',
  );
  const out = new URL((await action.locator('a.filter-out').getAttribute('href')) ?? '', ctx.url);
  assert.equal(out.searchParams.get('q'), 'NOT event.action:"New-InboxRule"');
  assert.equal(out.searchParams.get('tenant'), 'contoso');
  await action.locator('button.copy-value').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'New-InboxRule');
  await page.fill('.field-search[data-table=ecs-fields]', 'outcome');
  assert.equal(await page.locator('#ecs-fields tr:not([hidden])').count(), 1, 'the field filter narrows the table');
  await page.fill('.field-search[data-table=ecs-fields]', '');
  await noHorizontalScroll(page, 1440);
  await shot('13-event-fields');

  await action.locator('a.filter-for').click();
  await page.waitForURL(/action=New-InboxRule/);
  assert.match(page.url(), /tenant=contoso/, 'the filter is added to the search the event came from');
  const operations = await column('action');
  assert.ok(operations.length > 0 && operations.every((op) => op === 'New-InboxRule'));

  await page.locator('table.events tbody tr td.desc a').first().click();
  await page.waitForURL(/\/events\/[^?]+\?/);
  await page.locator('#raw-fields tr[data-field="UserId"] a.filter-for').click();
  await page.waitForURL(/q=/);
  const users = await column('user');
  const expected = new URL(page.url()).searchParams.get('q')?.replaceAll('"', '');
  assert.ok(users.length > 0 && users.every((u) => u === expected), 'a raw value filters as a phrase');
});

test('columns are chosen and remembered; the time column sorts', { skip }, async () => {
  await page.goto(`${ctx.url}events?range=all`);
  await page.click('details.columns summary');
  await page.uncheck('input[data-col-toggle=workload]');
  assert.equal(await page.locator('table.events th[data-col=workload]').isHidden(), true);
  await page.reload();
  assert.equal(await page.locator('table.events td[data-col=workload]').first().isHidden(), true, 'remembered');
  assert.equal(await page.locator('table.events td[data-col=user]').first().isVisible(), true);
  const before = await column('time');
  // The time sort re-runs the search: oldest first over the whole result, not this page reversed.
  await page.click('a.sort-time');
  await page.waitForURL(/order=asc/);
  const after = await column('time');
  assert.deepEqual(after, [...after].sort(), 'oldest first');
  assert.ok(after[0]! < [...before].sort()[0]!, 'the oldest events of all, older than any on the newest page');
  const api = (await (
    await page.request.get(`${ctx.url}api/events?range=all&order=asc&limit=1`, {
      headers: { authorization: `Bearer ${ctx.server.token}` },
    })
  ).json()) as { events: { id: string }[] };
  assert.equal(await page.locator('table.events tbody tr').first().getAttribute('data-id'), api.events[0]!.id);
  assert.equal(await page.getAttribute('table.events th[data-col=time]', 'aria-sort'), 'ascending');
  await noHorizontalScroll(page, 1440);
  await shot('14-columns');
  // The next page continues oldest first.
  const lastOfFirst = after.at(-1)!;
  await page.click('.pager a[rel=next]');
  await page.waitForURL(/cursor=/);
  const second = await column('time');
  assert.ok(second.length > 0 && second.every((t) => t >= lastOfFirst) && second.join() === [...second].sort().join());
  await page.click('a.sort-time');
  await page.waitForURL((url) => !url.search.includes('order=asc'));
  assert.deepEqual(await column('time'), before, 'back to newest first');
  await page.click('details.columns summary');
  await page.check('input[data-col-toggle=workload]');
});

test('live tail appends an event stored after the page loaded, without a reload', { skip }, async () => {
  await page.goto(`${ctx.url}events?range=24h&tenant=contoso`);
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  await page.check('#live');
  await page.waitForFunction(() => document.getElementById('live-status')?.textContent?.includes('live'));
  const [late] = sampleEvents(1, NOW - 30_000).map((e) => ({
    ...e,
    id: `${e.tenantId}:tail-1`,
    description: 'tail-test: a brand new sign-in',
  }));
  ctx.store.insertEvents([late!], NOW);
  const row = page.locator('table.events tbody tr').first();
  await row.locator('td.desc', { hasText: 'tail-test: a brand new sign-in' }).waitFor();
  assert.equal(await row.getAttribute('data-id'), `${late!.tenantId}:tail-1`);
  assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true);
  assert.match((await page.textContent('#live-status')) ?? '', /1 new/);
  await shot('15-live-tail');
  await page.uncheck('#live');
});

test('saved searches: save, apply, delete', { skip }, async () => {
  await page.goto(`${ctx.url}events?range=7d&q=drop%40evil.example&tenant=fabrikam`);
  await page.click('details.saved-searches summary');
  await page.fill('form.save-search input[name=name]', 'Forwarding to evil');
  await page.click('form.save-search button');
  await page.waitForURL(/\/events\?/);
  await page.goto(`${ctx.url}events`);
  await page.click('details.saved-searches summary');
  await shot('16-saved-searches');
  await page.click('details.saved-searches a.apply:text("Forwarding to evil")');
  await page.waitForURL(/q=drop%40evil\.example/);
  assert.equal(await page.inputValue('input.q'), 'drop@evil.example');
  assert.equal(await page.inputValue('input[name=tenant]'), 'fabrikam');
  await page.click('details.saved-searches summary');
  await page.click('details.saved-searches button[aria-label="Delete saved search Forwarding to evil"]');
  await page.waitForURL(/\/events/);
  assert.equal(await page.locator('details.saved-searches a.apply').count(), 0);
  const audit = await ctx.analyst.audit.read({ targetKind: 'saved-search' });
  assert.deepEqual(
    audit.map((a) => [a.action, a.actor]),
    [
      ['search.delete', 'Dana Analyst'],
      ['search.save', 'Dana Analyst'],
    ],
  );
});

test('triage: grouped alerts, status and comment on one alert, bulk close, filters and counts', { skip }, async () => {
  await page.goto(`${ctx.url}alerts`);
  const groups = page.locator('table.alerts.groups tbody tr');
  assert.equal(await groups.count(), 3, 'two inbox-rule alerts about one user are one group');
  const inboxGroup = groups.filter({ hasText: 'Inbox rule forwarding' });
  assert.equal((await inboxGroup.locator('td.num').textContent())?.trim(), '2');
  assert.match((await inboxGroup.textContent()) ?? '', /user:bob@contoso\.com/);
  assert.equal((await page.locator('nav.tabs a[data-status=new] .count').textContent())?.trim(), '4');
  await shot('17-alerts-grouped');

  await inboxGroup.locator('td.desc > a').click();
  await page.waitForURL(/\/alerts\/group\?/);
  assert.equal(await page.locator('table.alerts tbody tr').count(), 2);
  const groupEvents = await column('action');
  assert.equal(groupEvents.length, 3, 'the events the two alerts cite, and only those');
  assert.ok(groupEvents.every((a) => a === 'New-InboxRule'));
  await shot('18-alert-group');

  await page.goto(`${ctx.url}alerts/alert-bruteforce`);
  await page.selectOption('.triage-panel select[name=status]', 'acknowledged');
  await page.fill('.triage-panel input[name=assignee]', 'Sam');
  await page.fill('.triage-panel textarea[name=comment]', 'Password spray from 203.0.113.7 — blocking the IP.');
  await page.click('.triage-panel button[type=submit]');
  await page.waitForURL(/\/alerts\/alert-bruteforce$/);
  const panel = page.locator('.triage-panel');
  assert.match((await panel.locator('.triage-state').textContent()) ?? '', /acknowledged\s+by Dana Analyst/);
  assert.equal((await panel.locator('.assignee').textContent())?.trim(), 'Sam');
  assert.match((await panel.locator('ol.comments').textContent()) ?? '', /Dana Analyst[\s\S]*Password spray/);
  const history = (await page.locator('table.audit tbody').textContent()) ?? '';
  assert.match(history, /Dana Analyst[\s\S]*(commented|assigned to Sam|new → acknowledged)/);
  assert.equal(await page.locator('table.audit tbody tr').count(), 3);
  await shot('19-alert-triaged');

  await page.goto(`${ctx.url}alerts?view=list&status=new`);
  assert.equal(await page.locator('table.alerts tbody tr').count(), 3);
  await page.check('table.alerts th input.select-all');
  assert.equal((await page.textContent('form.triage .selected-count'))?.trim(), '3 selected');
  await page.selectOption('form.triage.bulk select[name=status]', 'closed');
  await page.fill('form.triage.bulk textarea[name=comment]', 'Benign: red-team exercise');
  await page.click('form.triage.bulk button[type=submit]');
  await page.waitForURL(/status=new/);
  assert.equal(await page.locator('table.alerts tbody tr').count(), 0);
  assert.equal((await page.locator('nav.tabs a[data-status=closed] .count').textContent())?.trim(), '3');
  assert.equal((await page.locator('nav.tabs a[data-status=acknowledged] .count').textContent())?.trim(), '1');

  await page.goto(`${ctx.url}alerts?view=list&status=closed&entity=user:bob@contoso.com`);
  const closed = page.locator('table.alerts tbody tr');
  assert.ok((await closed.count()) >= 1);
  assert.match((await closed.first().textContent()) ?? '', /closed[\s\S]*Dana Analyst/);
  await page.goto(`${ctx.url}alerts?view=list&level=critical`);
  assert.equal(await page.locator('table.alerts tbody tr').count(), 1);
  await page.goto(`${ctx.url}alerts?view=list&assignee=Sam`);
  assert.deepEqual(
    await page.locator('table.alerts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id'))),
    ['alert-bruteforce'],
  );
  await shot('20-alerts-list');
});

test('phone width (390 px): events, an event and alerts fit and stay usable', { skip }, async () => {
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  phone.on('pageerror', (err) => problems.push(err.message));
  await phone.goto(`${ctx.url}events?range=all`);
  await noHorizontalScroll(phone, 390);
  const search = await phone.locator('input.q').boundingBox();
  assert.ok(search && search.width > 300, 'the query box takes the width');
  assert.ok(await phone.locator('table.events tbody tr').first().isVisible());
  await shot('21-phone-events', phone);
  await phone.locator('table.events tbody tr td.desc a').first().click();
  await phone.waitForURL(/\/events\//);
  await noHorizontalScroll(phone, 390);
  const filterFor = phone.locator('#ecs-fields a.filter-for').first();
  const box = await filterFor.boundingBox();
  assert.ok(box && box.x + box.width <= 390, 'the filter buttons are on screen');
  await shot('22-phone-event', phone);
  await phone.goto(`${ctx.url}alerts`);
  await noHorizontalScroll(phone, 390);
  await shot('23-phone-alerts', phone);
  await phone.close();
});

test('dark colour scheme: alert triage and field tables keep their contrast', { skip }, async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${ctx.url}alerts/alert-bruteforce`);
  const panel = await page.locator('.triage-panel').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(panel, 'rgb(22, 27, 34)');
  await shot('24-alert-dark');
  await page.goto(`${ctx.url}events?range=all`);
  await page.locator('table.events tbody tr td.desc a').first().click();
  await page.waitForURL(/\/events\//);
  await shot('25-event-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('no script error and no CSP violation on any page', { skip }, async () => {
  assert.deepEqual(problems, [], problems.join('\n'));
});
