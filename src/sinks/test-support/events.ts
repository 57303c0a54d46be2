import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputEvent } from '../../core/output-event.ts';
import { silentLogger } from '../../observability/logger.ts';
import { sinkSchema, type SinkConfig } from '../config.ts';
import { DeadLetterFile } from '../dead-letter.ts';

/** Test helper: event number `n` of tenant `t`, with an optional padding to reach a size. */
export function testEvent(n: number, pad = 0, kind: OutputEvent['kind'] = 'event'): OutputEvent {
  return {
    id: `t:${n}`,
    kind,
    tenantId: 't',
    time: Date.UTC(2026, 10, 24, 12, 0, 0) + n * 1000,
    document: { Id: String(n), Operation: 'UserLoggedIn', ...(pad ? { pad: 'x'.repeat(pad) } : {}) },
  };
}

export function testEvents(from: number, count: number, pad = 0): OutputEvent[] {
  return Array.from({ length: count }, (_, i) => testEvent(from + i, pad));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** Parses a sink config of one type through the real schema (so defaults apply as in production). */
export function sinkConfig<T extends SinkConfig['type']>(
  raw: { type: T } & Record<string, unknown>,
): Extract<SinkConfig, { type: T }> {
  return sinkSchema.parse(raw) as Extract<SinkConfig, { type: T }>;
}

export function testDeadLetter(dir: string, sink = 'test'): DeadLetterFile {
  return new DeadLetterFile(join(dir, 'dead-letter.ndjson'), sink, silentLogger);
}

export function readDeadLetters(file: DeadLetterFile): Array<{ reason: string; detail: string; event?: OutputEvent }> {
  if (!existsSync(file.path)) return [];
  return readFileSync(file.path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Fast retries for tests. */
export const FAST_RETRY = { max_attempts: 4, initial_backoff: 5, max_backoff: 20 };
