import { createRequire } from 'node:module';
import { LruCache } from './lru-cache.ts';
import { loadUapRegexes, type UapRegexes } from './uap-regexes.ts';

/** The ECS user_agent.* fields (without `original`). */
export interface UserAgentFields {
  name: string;
  version?: string;
  os: { name: string; version?: string };
  device: { name: string };
}

interface UapVersioned {
  family: string;
  major?: string | null;
  minor?: string | null;
  patch?: string | null;
}

interface UapParser {
  parse(ua: string): { ua: UapVersioned; os: UapVersioned; device: { family: string } };
}

const require = createRequire(import.meta.url);
let parser: UapParser | undefined;

/** Loads the uap-core regexes once, on first use. */
function uapParser(): UapParser {
  if (parser === undefined) {
    const makeParser = require('uap-ref-impl') as (regexes: UapRegexes) => UapParser;
    parser = makeParser(loadUapRegexes());
  }
  return parser;
}

/** major[.minor[.patch]] — patch_minor is dropped, like the reference. */
function versionOf(v: UapVersioned): string | undefined {
  if (!v.major) return undefined;
  if (!v.minor) return v.major;
  if (!v.patch) return `${v.major}.${v.minor}`;
  return `${v.major}.${v.minor}.${v.patch}`;
}

const cache = new LruCache<string, UserAgentFields>(5_000);
/**
 * Only this many characters are parsed (real agents are far shorter): the uap regexes backtrack, and a 5 MB
 * "agent" would take seconds and fill the cache.
 */
const MAX_PARSED_LENGTH = 512;

/**
 * Parses a User-Agent with ua-parser (uap-core regexes), which reproduces the reference output.
 * uap regexes are slow (~0.4 ms a string), so results are kept in an LRU cache: audit logs repeat few agents.
 */
export function parseUserAgent(original: string): UserAgentFields {
  const agent = original.length > MAX_PARSED_LENGTH ? original.slice(0, MAX_PARSED_LENGTH) : original;
  let fields = cache.get(agent);
  if (fields === undefined) {
    const r = uapParser().parse(agent);
    fields = { name: r.ua.family, os: { name: r.os.family }, device: { name: r.device.family } };
    const version = versionOf(r.ua);
    if (version !== undefined) fields.version = version;
    const osVersion = versionOf(r.os);
    if (osVersion !== undefined) fields.os.version = osVersion;
    cache.set(agent, fields);
  }
  return fields;
}
