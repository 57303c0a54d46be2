import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isDiskFull } from '../sinks/disk-full.ts';
import { mountTmpfs } from '../sinks/test-support/tmpfs.ts';
import { storeSchema } from './config.ts';
import { openEventStore } from './event-store.ts';
import { sampleAlert, sampleEvents } from './testing/sample-events.ts';

const NEWEST = Date.parse('2026-11-24T12:00:00Z');
const config = (path: string, overrides: Record<string, unknown> = {}) => storeSchema.parse({ path, ...overrides });
const tempPath = () => join(mkdtempSync(join(tmpdir(), 'store-writer-')), 'events.db');

test('the writer thread stores queued batches in order: repeats of an earlier queued batch are dropped, alerts and retention go through it', async () => {
  const path = tempPath();
  const store = openEventStore(config(path, { retention: '1h' }), { writer: 'thread' });
  try {
    const events = sampleEvents(300);
    // Queued without waiting: the second batch repeats 100 events of the first.
    store.insertEvents(events.slice(0, 200), NEWEST);
    store.insertEvents(events.slice(100), NEWEST);
    store.insertAlerts([sampleAlert(events.slice(0, 3))]);
    await store.flush();
    assert.equal(await store.countEvents(), 300);
    const mallory = events.filter((e) => e.raw.UserId === 'mallory@contoso.com').length;
    assert.equal((await store.searchEvents({ q: 'mallory', limit: 500 })).total, mallory);
    assert.equal((await store.listAlerts({})).alerts.length, 1);
    assert.equal((await store.getEvent(events[299]!.id))?.id, events[299]!.id);

    // One event a minute back from NEWEST: a 1 h retention keeps the newest 60 (and their first minute's edge).
    const result = await store.applyRetention(NEWEST + 1);
    assert.equal(result.deletedEvents, 240);
    assert.equal(await store.countEvents(), 60);
    assert.equal(await store.getEvent(events[299]!.id), undefined, 'a deleted event is not served from a cached block');
  } finally {
    await store.close();
  }
});

test('closing the store waits for the queued writes', async () => {
  const path = tempPath();
  const store = openEventStore(config(path), { writer: 'thread' });
  store.insertEvents(sampleEvents(500), NEWEST);
  await store.close();
  const reopened = openEventStore(config(path));
  try {
    assert.equal(reopened.countEvents(), 500);
  } finally {
    await reopened.close();
  }
});

test('a full disk under the writer thread: the next flush fails with SQLite’s code (a full disk, once), and writing resumes once space is back', {
  timeout: 60_000,
}, async (t) => {
  const fs = mountTmpfs(8 * 1024 * 1024);
  if (typeof fs === 'string') return t.skip(fs);
  const store = openEventStore(config(join(fs.dir, 'events.db')), { writer: 'thread' });
  try {
    const events = sampleEvents(4000);
    store.insertEvents(events.slice(0, 100), NEWEST);
    await store.flush();
    fs.fill();
    let failure: unknown;
    for (let start = 100; start < events.length && !failure; start += 500) {
      store.insertEvents(events.slice(start, start + 500), NEWEST);
      failure = await store.flush().then(
        () => undefined,
        (err: unknown) => err,
      );
    }
    assert.ok(failure instanceof Error, 'a write failed on the full disk');
    assert.match(failure.message, /storing events failed: .*(disk|full)/i);
    assert.ok(isDiskFull(failure), 'recognised as a full disk (the pipeline pauses collection)');
    await store.flush();
    const before = await store.countEvents();

    fs.free();
    store.insertEvents(events, NEWEST);
    await store.flush();
    assert.equal(await store.countEvents(), events.length, `every event once after space came back (had ${before})`);
  } finally {
    await store.close();
    fs.unmount();
  }
});
