import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/index.ts';
import { SqliteStateStore } from '../state/sqlite-state-store.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import { ALL_CONTENT_TYPES, FAST_COLLECTION, TENANTS, emulatorTenants, tempDir, tenantEntries } from './testing/harness.ts';

const CHILD = fileURLToPath(new URL('./testing/run-collector.ts', import.meta.url));
const KILLS = Number(process.env.RESTART_TEST_KILLS ?? 20);

interface ChildRun {
  exitCode: number | null;
  killed: boolean;
}

/**
 * Runs the collector child; when `killAfterReadyMs` is set, SIGKILLs it that long after it reported ready; when
 * `killOn` is set, as soon as it prints that line.
 */
function runChild(jobFile: string, killAfterReadyMs?: number, killOn?: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, jobFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (killOn !== undefined && chunk.toString().includes(killOn)) killed = child.kill('SIGKILL');
      if (killAfterReadyMs !== undefined && chunk.toString().includes('ready')) {
        setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, killAfterReadyMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!killed && code !== 0) reject(new Error(`collector child exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve({ exitCode: code, killed });
    });
  });
}

test(`restart: the collector is SIGKILLed ${KILLS} times at random points; the output holds every event exactly once`, async () => {
  const emulator = await startEmulator({
    seed: 11,
    tenants: emulatorTenants(),
    pageSize: 5,
    chaos: { duplicateWithinBlob: 0.1, duplicateAcrossBlobs: 0.2, lateBlob: 0.1, lateBlobMaxMs: 2 * 3_600_000 },
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const jobFile = join(dir, 'job.json');
  const output = join(dir, 'out.ndjson');
  writeFileSync(
    jobFile,
    JSON.stringify({
      state: join(dir, 'state.db'),
      output,
      tenants: tenantEntries(emulator, caFile),
      collection: { ...FAST_COLLECTION, batch_size: 7, concurrency: 3 },
      maxCycles: 100,
    }),
  );
  try {
    let kills = 0;
    let finished = false;
    for (let round = 0; round < KILLS * 3 + 20 && (kills < KILLS || !finished); round += 1) {
      // New events keep arriving until every kill happened, so kills land in listing, fetching and delivering
      // (a run that finishes before its kill time is not a kill, and would otherwise find nothing left to do).
      if (kills < KILLS) {
        for (const t of TENANTS) emulator.generate(t.tenantId, 40, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 9 });
      }
      if (kills >= KILLS) await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await runChild(jobFile, kills < KILLS ? Math.floor(Math.random() * 1500) : undefined);
      if (process.env.RESTART_TEST_DEBUG) console.error(round, result);
      if (result.killed) kills += 1;
      else finished = kills >= KILLS;
    }
    assert.ok(kills >= KILLS, `killed ${kills} times`);
    assert.ok(finished, 'a final run completed');
    const expected = TENANTS.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));
    assert.ok(expected.length >= KILLS * 60, `${expected.length} events published`);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(output), expected), []);
  } finally {
    await emulator.stop();
  }
});

test('restart: SIGKILLed between the sink write and the state commit of a group commit, again and again; still every event exactly once', async () => {
  const emulator = await startEmulator({
    seed: 12,
    tenants: emulatorTenants(),
    pageSize: 5,
    chaos: { duplicateWithinBlob: 0.1, duplicateAcrossBlobs: 0.2 },
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const output = join(dir, 'out.ndjson');
  const state = join(dir, 'state.db');
  const job = {
    state,
    output,
    tenants: tenantEntries(emulator, caFile),
    collection: { ...FAST_COLLECTION, batch_size: 7, concurrency: 4 },
    maxCycles: 100,
  };
  const stallingJob = join(dir, 'stalling.json');
  writeFileSync(stallingJob, JSON.stringify({ ...job, stallGroupCommit: true }));
  const finishingJob = join(dir, 'finishing.json');
  writeFileSync(finishingJob, JSON.stringify(job));
  const rounds = 5;
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const t of TENANTS) emulator.generate(t.tenantId, 60, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 9 });
      const result = await runChild(stallingJob, undefined, 'group-written');
      assert.ok(result.killed, `round ${round}: killed at a group commit`);
      // The group's events are in the output, its checkpoint is not: the next open must roll them back.
      const committed = new SqliteStateStore(state);
      const position = Number((await committed.sinkPositions()).file ?? 0);
      await committed.close();
      assert.ok(statSync(output).size > position, `round ${round}: uncommitted output past the checkpoint (${position})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const final = await runChild(finishingJob);
    assert.equal(final.exitCode, 0, 'a final run completed');
    const expected = TENANTS.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));
    assert.ok(expected.length >= rounds * 2 * 60, `${expected.length} events published`);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(output), expected), []);
  } finally {
    await emulator.stop();
  }
});
