/** Small, allocation-free readers for the loosely typed fields of audit records. */
import { tooDeepUnder } from './record-shape.ts';

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** "True"/"False" (any case) or a boolean → boolean; anything else → undefined. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** A number or a numeric string → number (for `long` fields); anything else → undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Whether text can start a JSON value: `{ [ " - 0-9 t f n` (a cheap check: a failed JSON.parse throws, which is slow). */
function mayBeJson(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110;
}

/**
 * Parses JSON text, or returns undefined (never throws). JSON nested deeper than the records themselves may be
 * (MAX_DEPTH) is not parsed either: it would overflow recursive consumers of the document.
 */
export function tryParseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '' || !mayBeJson(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return tooDeepUnder(value) === undefined ? value : undefined;
}

/** [{Name, Value}] lists (ExtendedProperties, DeviceProperties, Parameters…) → lookup by name (first wins). */
export function nameValueMap(list: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const item of asArray(list)) {
    const entry = asObject(item);
    if (!entry) continue;
    const name = entry.Name;
    if (typeof name === 'string' && !map.has(name)) map.set(name, entry.Value);
  }
  return map;
}

/** Removes one pair of surrounding angle brackets: "<id@host>" → "id@host". */
export function stripAngleBrackets(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length >= 2 && value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value;
}

/** Lists longer than this get a Set beside them in pushUnique, so that adding stays constant-time. */
const SHORT_LIST = 16;
const seenOf = new WeakMap<readonly unknown[], { seen: Set<unknown>; length: number }>();

/**
 * Adds `value` to `list` unless empty or already present. Constant time per call even for lists of 100k values taken
 * from a record (a WeakMap keeps a Set per long list, rebuilt if the list was changed by other means). A list built
 * from scratch can hold its own Set instead: UniqueList.
 */
export function pushUnique<T>(list: T[], value: T | undefined | null): void {
  if (value === undefined || value === null || (value as unknown) === '') return;
  if (list.length < SHORT_LIST) {
    if (!list.includes(value)) list.push(value);
    return;
  }
  let entry = seenOf.get(list);
  if (entry === undefined || entry.length !== list.length) {
    entry = { seen: new Set(list), length: list.length };
    seenOf.set(list, entry);
  }
  if (entry.seen.has(value)) return;
  entry.seen.add(value);
  list.push(value);
  entry.length = list.length;
}

/** Distinct non-empty values in first-seen order, in constant time per value (records may list 100k entities). */
export class UniqueList<T> {
  readonly items: T[] = [];
  readonly #seen = new Set<T>();

  add(value: T | undefined | null): void {
    if (value === undefined || value === null || (value as unknown) === '' || this.#seen.has(value)) return;
    this.#seen.add(value);
    this.items.push(value);
  }
}

/** `table[key]` for own keys only, so record-supplied keys such as "constructor" never reach Object.prototype. */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Sets `key` as an own enumerable property, even when it is "__proto__". */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
