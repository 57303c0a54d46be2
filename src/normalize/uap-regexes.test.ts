import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadUapRegexes, uapCacheFile } from './uap-regexes.ts';

const yamlText = readFileSync(createRequire(import.meta.url).resolve('uap-core/regexes.yaml'), 'utf8');

test('the uap regexes come from the YAML, then from the JSON cache; a damaged cache is replaced', () => {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'uap-cache-'));
  try {
    const expected = parseYaml(yamlText);
    const file = uapCacheFile(yamlText);
    assert.ok(file.startsWith(process.env.TMPDIR));
    assert.deepEqual(loadUapRegexes(), expected, 'first load: parsed from the YAML');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), expected, 'cache written');
    assert.deepEqual(loadUapRegexes(), expected, 'second load: from the cache');
    for (const damaged of ['{"user_agent_parsers":', '{"user_agent_parsers":[]}']) {
      writeFileSync(file, damaged);
      assert.deepEqual(loadUapRegexes(), expected, `damaged cache ${damaged}`);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), expected, 'cache rewritten');
    }
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});
