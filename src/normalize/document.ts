import type { EcsDocument } from '../core/processed-event.ts';

/**
 * True for the values the reference engine drops instead of writing:
 * undefined, null, "", the literal "None", [] and {}. `false` and `0` are kept.
 */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 'None') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    for (const _ in value) return false;
    return true;
  }
  return false;
}

const pathCache = new Map<string, readonly string[]>();

function splitPath(path: string): readonly string[] {
  let parts = pathCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    pathCache.set(path, parts);
  }
  return parts;
}

/** Writes `value` at the dotted `path` (creating objects on the way), unless it is an empty value. */
export function put(doc: EcsDocument, path: string, value: unknown): void {
  if (isEmptyValue(value)) return;
  const parts = splitPath(path);
  let node: Record<string, unknown> = doc;
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const key = parts[i] as string;
    let next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      next = {};
      node[key] = next;
    }
    node = next as Record<string, unknown>;
  }
  node[parts[last] as string] = value;
}

/** Reads the value at the dotted `path`, or undefined. */
export function get(doc: EcsDocument, path: string): unknown {
  const parts = splitPath(path);
  let node: unknown = doc;
  for (const key of parts) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A plain object built from entries whose values are not empty (see isEmptyValue); undefined if none is left. */
export function compactObject(entries: Record<string, unknown>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key in entries) {
    const value = entries[key];
    if (isEmptyValue(value)) continue;
    (out ??= {})[key] = value;
  }
  return out;
}
