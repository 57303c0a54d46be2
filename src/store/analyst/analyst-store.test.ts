import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  findPostgresBin,
  POSTGRES_SKIP_REASON,
  startPostgres,
  type TestPostgres,
} from '../../state/postgres/testing/postgres-server.ts';
import { type AnalystStore, openAnalystStore } from './analyst-store.ts';
import { openPostgresAnalystStore } from './postgres-analyst-store.ts';

const DANA = { name: 'Dana', ip: '192.0.2.10' };
const SAM = { name: 'Sam', ip: '192.0.2.11' };

/** The same behaviour from the SQLite tables (one process) and the PostgreSQL ones (scaled out). */
function contract(open: () => Promise<AnalystStore>) {
  let store: AnalystStore;
  before(async () => {
    store = await open();
  });
  after(() => store.close());

  test('an alert nobody touched is new; a change sets status, assignee and comment, audited field by field', async () => {
    assert.deepEqual((await store.triage.states(['a1'])).get('a1'), { alertId: 'a1', status: 'new', comments: 0 });
    const states = await store.triage.apply(
      { alertIds: ['a1', 'a2', 'a1'], status: 'acknowledged', assignee: 'Sam', comment: 'looking' },
      DANA,
      1000,
    );
    assert.deepEqual(states, [
      { alertId: 'a1', status: 'acknowledged', statusBy: 'Dana', statusAt: 1000, assignee: 'Sam', comments: 1 },
      { alertId: 'a2', status: 'acknowledged', statusBy: 'Dana', statusAt: 1000, assignee: 'Sam', comments: 1 },
    ]);
    await store.triage.apply({ alertIds: ['a1'], status: 'acknowledged', comment: 'still looking' }, SAM, 2000);
    const a1 = (await store.triage.states(['a1'])).get('a1');
    assert.equal(a1?.statusBy, 'Dana', 'setting the same status again is not a change');
    assert.equal(a1?.comments, 2);
    await store.triage.apply({ alertIds: ['a1'], status: 'closed', assignee: '' }, SAM, 3000);
    assert.deepEqual(await store.triage.comments('a1'), [
      { author: 'Dana', at: 1000, text: 'looking' },
      { author: 'Sam', at: 2000, text: 'still looking' },
    ]);
    const audit = await store.audit.read({ targetKind: 'alert', targetId: 'a1' });
    assert.deepEqual(
      audit.map((e) => [e.at, e.actor, e.ip, e.action, e.detail]),
      [
        [3000, 'Sam', '192.0.2.11', 'alert.assign', { from: 'Sam', to: null }],
        [3000, 'Sam', '192.0.2.11', 'alert.status', { from: 'acknowledged', to: 'closed' }],
        [2000, 'Sam', '192.0.2.11', 'alert.comment', { text: 'still looking' }],
        [1000, 'Dana', '192.0.2.10', 'alert.comment', { text: 'looking' }],
        [1000, 'Dana', '192.0.2.10', 'alert.assign', { from: null, to: 'Sam' }],
        [1000, 'Dana', '192.0.2.10', 'alert.status', { from: 'new', to: 'acknowledged' }],
      ],
    );
    assert.equal((await store.audit.read({ limit: 2 })).length, 2);
  });

  test('a bad change is refused before anything is written', async () => {
    const before = (await store.audit.read()).length;
    await assert.rejects(store.triage.apply({ alertIds: [], status: 'closed' }, DANA, 1), /ids: select at least one alert/);
    await assert.rejects(store.triage.apply({ alertIds: ['a3'] }, DANA, 1), /give a status, an assignee or a comment/);
    await assert.rejects(
      store.triage.apply({ alertIds: ['a3'], status: 'resolved' as 'closed' }, DANA, 1),
      /status: must be one of new, acknowledged, closed/,
    );
    assert.equal((await store.audit.read()).length, before);
    assert.equal((await store.triage.states(['a3'])).get('a3')?.status, 'new');
  });

  test('saved searches: save, replace by name (any case), list by name, delete; each audited', async () => {
    const first = await store.searches.save(' Failures ', 'outcome=failure', DANA, 10);
    assert.equal(first.name, 'Failures');
    const replaced = await store.searches.save('failures', 'outcome=failure&range=7d', SAM, 20);
    await store.searches.save('Admins', 'q=event.action%3A%22Add+member+to+role.%22', DANA, 30);
    assert.deepEqual(
      (await store.searches.list()).map((s) => [s.name, s.query, s.createdBy]),
      [
        ['Admins', 'q=event.action%3A%22Add+member+to+role.%22', 'Dana'],
        ['Failures', 'outcome=failure&range=7d', 'Sam'],
      ],
    );
    assert.equal(replaced.id, first.id);
    await assert.rejects(store.searches.save('  ', 'x', DANA, 1), /name: give the search a name/);
    assert.equal(await store.searches.delete(first.id, DANA, 40), true);
    assert.equal(await store.searches.delete(first.id, DANA, 50), false);
    assert.deepEqual(
      (await store.audit.read({ targetKind: 'saved-search', targetId: String(first.id) })).map((e) => [e.action, e.actor]),
      [
        ['search.delete', 'Dana'],
        ['search.save', 'Sam'],
        ['search.save', 'Dana'],
      ],
    );
  });

  test('entities derived from events are remembered', async () => {
    await store.triage.cacheEntity('a9', { kind: 'user', value: 'bob@contoso.com' });
    await store.triage.cacheEntity('a9', { kind: 'user', value: 'eve@contoso.com' });
    assert.deepEqual(
      [...(await store.triage.cachedEntities(['a9', 'a10']))],
      [['a9', { kind: 'user', value: 'eve@contoso.com' }]],
    );
  });
}

describe('SQLite analyst tables', () => {
  contract(async () => openAnalystStore(join(mkdtempSync(join(tmpdir(), 'analyst-')), 'events.db')));
});

describe('PostgreSQL analyst tables', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  let url: string;
  before(async () => {
    server = await startPostgres();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE analyst');
    await admin.end();
    url = server.url.replace(/\/postgres$/, '/analyst');
  });
  after(() => server?.stop());

  contract(() => openPostgresAnalystStore(url));

  test('two workers see and serialize each other’s triage', async () => {
    const [one, two] = await Promise.all([openPostgresAnalystStore(url), openPostgresAnalystStore(url)]);
    try {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? one : two).triage.apply({ alertIds: ['shared'], comment: `note ${i}` }, DANA, 100 + i),
        ),
      );
      await one.triage.apply({ alertIds: ['shared'], status: 'closed' }, SAM, 200);
      assert.equal((await two.triage.states(['shared'])).get('shared')?.status, 'closed');
      assert.equal((await two.triage.comments('shared')).length, 10);
      assert.equal((await one.audit.read({ targetKind: 'alert', targetId: 'shared' })).length, 11);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
