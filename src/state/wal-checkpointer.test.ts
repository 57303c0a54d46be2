import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { DetectionStateChanges } from '../core/detection-state.ts';
import { SqliteStateStore } from './sqlite-state-store.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

const key = { tenantId: 'tid-1', contentType: 'Audit.Exchange' };
const ROWS_BYTES = 20 * 50_000;

/** A detector's state that rewrites `rows` rows of `bytes` each with every commit (busy correlation groups). */
function busyDetectionState(rows: number, bytes: number) {
  let version = 0;
  return {
    pendingState(): DetectionStateChanges {
      version++;
      const value = `${version}`.padEnd(bytes, 'x');
      return { upserts: Array.from({ length: rows }, (_, i) => ({ tenantId: 'tid-1', key: `g${i}`, value })), deletes: [] };
    },
    stateCommitted() {},
  };
}

async function commitOne(store: SqliteStateStore, n: number): Promise<void> {
  await store.enqueueBlobs(
    key,
    [{ contentId: `b${n}`, contentUri: `https://api.test/b${n}`, contentCreated: n, expiration: n + 1e9 }],
    0,
  );
  await store.commitBatches([
    {
      key,
      contentId: `b${n}`,
      delivered: 1,
      done: true,
      eventIds: [`tid-1:${n}`],
      seenUntil: 1e12,
      eventsDelivered: 1,
      positions: { file: String(n) },
      contentCreated: n,
    },
  ]);
}

test("with the detector's state attached, a thread checkpoints the state file's WAL; commits do not", async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'wal-')), 'state.db');
  const store = new SqliteStateStore(path);
  await store.registerStream(key, 'contoso');
  store.attachDetectionState(busyDetectionState(20, 50_000));
  // 1 MB of rows rewritten by each commit: far below the 256 MB at which this connection would checkpoint by itself, so
  // the rows only reach the database file (beside its WAL) if the thread copied them there. Bounded: 80 commits, 25 ms
  // apart (the thread checkpoints at most once a second).
  let size = 0;
  for (let n = 0; n < 80 && size < ROWS_BYTES; n++) {
    await commitOne(store, n);
    await sleep(25);
    size = statSync(path).size;
  }
  assert.ok(size >= ROWS_BYTES, `database file ${size} bytes: the thread did not checkpoint`);
  await store.close();

  const reopened = new SqliteStateStore(path);
  const rows = await reopened.loadDetectionState();
  assert.equal(rows.length, 20);
  assert.ok(rows.every((r) => r.value.length === 50_000));
  await reopened.close();
});

test('a checkpoint thread that cannot open its file reports that it stopped', async () => {
  const stopped = new Promise<string>((resolve) => {
    const checkpointer = new WalCheckpointer(join(tmpdir(), 'no-such-dir-wal', 'sub', 'state.db'), {
      onError: () => assert.fail('no checkpoint ran'),
      onStopped: resolve,
    });
    checkpointer.committed();
  });
  assert.match(await stopped, /directory does not exist|unable to open|exit code/);
});
