import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from './load.ts';

// Keeps the README honest: every YAML example in it must be a valid (partial) config.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const env = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? `env-${name}` : undefined) }) as NodeJS.ProcessEnv;

test('the README has config examples', () => {
  assert.ok(blocks.length >= 5, `found ${blocks.length} yaml blocks`);
});

for (const [index, block] of blocks.entries()) {
  test(`README yaml example ${index + 1} is a valid config`, () => {
    const raw = parseYaml(block.replace(/<rule id or title>/g, 'Sign-In With The Device Code Flow')) as Record<string, unknown>;
    assert.doesNotThrow(
      () => parseConfig(raw, env),
      (err: unknown) => `${String(err)}\n---\n${block}`,
    );
  });
}
