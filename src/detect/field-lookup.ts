import type { DetectableEvent } from './types.ts';

/**
 * Field lookup convention (documented in README.md of this folder):
 * 1. a dotted path on the ECS document (`source.geo.country_iso_code`, `office365.alert.display_name`);
 *    keys that themselves contain dots (`@timestamp`, flat keys) are found too;
 * 2. when the ECS document has nothing there, the same path on the raw record (`Operation`, `Parameters.ForwardTo`);
 * 3. on the way, an array of `{Name, Value}` objects (Parameters, ExtendedProperties, ModifiedProperties,
 *    OperationProperties, DeviceProperties) is addressed by element Name: `Parameters.ForwardTo` is the Value of the
 *    element named ForwardTo; names containing dots work (`ModifiedProperties.Role.DisplayName`); an element without
 *    Value (ModifiedProperties) yields its NewValue, and `.NewValue` / `.OldValue` pick either explicitly;
 * 4. any other array is searched element by element (a field matches when one element matches).
 * The whole Name/Value array, used as a value (`Parameters|contains: ForwardTo`), reads as `Name:Value` strings.
 * Prefix `raw.` forces the raw record, `ecs.` the ECS document.
 */
export function lookupField(event: DetectableEvent, path: string): unknown[] {
  let perEvent = lookupCache.get(event);
  if (!perEvent) {
    perEvent = new Map();
    lookupCache.set(event, perEvent);
  }
  let values = perEvent.get(path);
  if (!values) {
    values = lookupUncached(event, path);
    perEvent.set(path, values);
  }
  return values;
}

/** Several rules read the same fields of an event: remember each lookup for as long as the event lives. */
const lookupCache = new WeakMap<DetectableEvent, Map<string, unknown[]>>();
const stringsCache = new WeakMap<DetectableEvent, string[]>();

function lookupUncached(event: DetectableEvent, path: string): unknown[] {
  if (path.startsWith('raw.')) return walk(event.raw, compiledPath(path.slice(4)), 0);
  if (path.startsWith('ecs.')) return walk(event.ecs, compiledPath(path.slice(4)), 0);
  const compiled = compiledPath(path);
  const fromEcs = walk(event.ecs, compiled, 0);
  return fromEcs.length > 0 ? fromEcs : walk(event.raw, compiled, 0);
}

/** A dotted path with every run of consecutive segments pre-joined: `joined[i][k]` = segments i..i+k joined by dots. */
interface CompiledPath {
  length: number;
  joined: string[][];
}

const compiledPaths = new Map<string, CompiledPath>();

function compiledPath(path: string): CompiledPath {
  let compiled = compiledPaths.get(path);
  if (!compiled) {
    const segments = path.split('.');
    const joined = segments.map((_, i) => segments.slice(i).map((__, k) => segments.slice(i, i + k + 1).join('.')));
    compiled = { length: segments.length, joined };
    compiledPaths.set(path, compiled);
  }
  return compiled;
}

/** Values found at the path (from segment `at`) under `node`, arrays flattened; empty when the path does not exist. */
function walk(node: unknown, path: CompiledPath, at: number): unknown[] {
  if (at === path.length) return leaves(node);
  if (Array.isArray(node)) {
    if (isNameValueArray(node)) return walkNameValue(node, path, at);
    return node.flatMap((item) => walk(item, path, at));
  }
  if (!isObject(node)) return [];
  // Longest key first, so a flat key such as "Role.DisplayName" or "source.ip" is found before nesting.
  const keys = path.joined[at]!;
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    if (Object.hasOwn(node, key)) {
      const found = walk(node[key], path, at + k + 1);
      if (found.length > 0) return found;
    }
  }
  return [];
}

function walkNameValue(items: Record<string, unknown>[], path: CompiledPath, at: number): unknown[] {
  const names = path.joined[at]!;
  for (let k = names.length - 1; k >= 0; k--) {
    const name = names[k]!;
    const hits = items.filter((item) => item.Name === name);
    if (hits.length === 0) continue;
    const rest = at + k + 1;
    return hits.flatMap((item) => {
      if (rest < path.length) return walk(item, path, rest);
      // An element named but without a value (`{Name: "X"}`) is present, with a null value.
      if (!Object.hasOwn(item, 'Value') && !Object.hasOwn(item, 'NewValue')) return [null];
      return leaves(Object.hasOwn(item, 'Value') ? item.Value : item.NewValue);
    });
  }
  return [];
}

function leaves(node: unknown): unknown[] {
  if (node === undefined) return [];
  if (Array.isArray(node)) {
    if (isNameValueArray(node)) return node.map(nameValueString);
    return node.flatMap(leaves);
  }
  return [node];
}

function nameValueString(item: Record<string, unknown>): string {
  const value = Object.hasOwn(item, 'Value') ? item.Value : item.NewValue;
  return `${String(item.Name)}:${typeof value === 'string' ? value : JSON.stringify(value ?? '')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNameValueArray(value: unknown[]): value is Record<string, unknown>[] {
  return value.length > 0 && value.every((item) => isObject(item) && typeof item.Name === 'string');
}

/** Every string-like leaf of the event (ECS then raw), for keyword (full-text) search. */
export function allStrings(event: DetectableEvent): string[] {
  let out = stringsCache.get(event);
  if (!out) {
    out = [];
    collect(event.ecs, out);
    collect(event.raw, out);
    stringsCache.set(event, out);
  }
  return out;
}

function collect(node: unknown, out: string[]): void {
  if (typeof node === 'string') out.push(node);
  else if (typeof node === 'number' || typeof node === 'boolean') out.push(String(node));
  else if (Array.isArray(node)) for (const item of node) collect(item, out);
  else if (isObject(node)) for (const key in node) collect(node[key], out);
}
