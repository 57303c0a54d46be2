import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { checkWrittenConfig } from './config-file-rules.ts';
import { configFromEnvironment } from './from-env.ts';
import { interpolateEnv } from './interpolate.ts';
import { didYouMean, knownKeysAt } from './key-suggestions.ts';
import { resolveConfigPaths } from './resolve-paths.ts';
import { applySharedApp } from './shared-app.ts';
import { configSchema, type Config } from './schema.ts';

/** `tenants[0].client_id` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown): string {
  const where = formatPath(issue.path) || '(root)';
  if (issue.code !== 'unrecognized_keys') return `${where}: ${issue.message}`;
  const known = knownKeysAt(configSchema, doc, issue.path);
  return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key${didYouMean(key, known)}`).join('; ');
}

function describeIssues(error: z.ZodError, doc: unknown): string {
  return error.issues.map((issue) => describeIssue(issue, doc)).join('; ');
}

/**
 * Validates an already-parsed config object. Throws ConfigError naming every bad key. Relative paths are read against
 * `baseDir` (the config file's folder), default file locations derived from `data_dir`.
 */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Config {
  const expanded = resolveConfigPaths(applySharedApp(interpolateEnv(raw ?? {}, env)), baseDir);
  const result = configSchema.safeParse(expanded);
  if (!result.success) {
    const first = result.error.issues[0];
    const firstPath = first?.code === 'unrecognized_keys' ? [...first.path, first.keys[0] ?? ''] : (first?.path ?? []);
    throw new ConfigError(formatPath(firstPath), describeIssues(result.error, expanded).replace(/^[^:]*: /, ''));
  }
  return result.data;
}

/**
 * Reads and validates a YAML config file. With no path: the configuration given by the environment
 * (`O365_TENANT_ID`…, see from-env.ts), else the defaults (no tenant: emulator mode).
 */
export function loadConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  options: { allowFastPolling?: boolean } = {},
): Config {
  if (!path) {
    const fromEnv = configFromEnvironment(env) ?? {};
    const config = parseConfig(fromEnv, env);
    checkWrittenConfig(fromEnv, config, options);
    return config;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read config file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) throw new ConfigError('', `${path} is not valid YAML: ${err.message}`);
    throw err;
  }
  const config = parseConfig(raw, env, dirname(resolve(path)));
  checkWrittenConfig(raw, config, options);
  return config;
}
