import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

const require = createRequire(import.meta.url);

/** The parsed regexes.yaml of uap-core, as uap-ref-impl takes it. */
export interface UapRegexes {
  user_agent_parsers: unknown[];
  os_parsers: unknown[];
  device_parsers: unknown[];
}

function isUapRegexes(value: unknown): value is UapRegexes {
  const v = value as Partial<UapRegexes> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.user_agent_parsers) &&
    Array.isArray(v.os_parsers) &&
    Array.isArray(v.device_parsers)
  );
}

/** The cache file of one regexes.yaml text: named by its hash, so a new uap-core version gets its own. */
export function uapCacheFile(yamlText: string): string {
  const hash = createHash('sha256').update(yamlText).digest('hex').slice(0, 16);
  return join(tmpdir(), `o365-intake-uap-regexes-${hash}.json`);
}

function readCache(file: string): UapRegexes | undefined {
  try {
    // Only a file of this user: another user of a shared temp directory could have planted it.
    if (statSync(file).uid !== process.getuid?.()) return undefined;
    const cached: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isUapRegexes(cached) ? cached : undefined;
  } catch {
    return undefined; // no cache yet, or a damaged one: parse the YAML
  }
}

/**
 * The uap-core user-agent regexes. Parsing their 200 KB of YAML costs ≈ 0.2 s of CPU at every start — as much as
 * normalizing 10k records with the `normalize` CLI — so the parsed form is kept as JSON in the temp directory and
 * read back in about a millisecond. A read-only temp directory only means the YAML is parsed each time.
 */
export function loadUapRegexes(): UapRegexes {
  const text = readFileSync(require.resolve('uap-core/regexes.yaml'), 'utf8');
  const file = uapCacheFile(text);
  const cached = readCache(file);
  if (cached !== undefined) return cached;
  const regexes: unknown = parseYaml(text);
  if (!isUapRegexes(regexes)) throw new Error('uap-core/regexes.yaml does not have the expected parser lists');
  try {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(regexes), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // Not writable: nothing lost but the time.
  }
  return regexes;
}
