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
export function lookupField(event: DetectableEvent, path: string): readonly unknown[] {
  return lookupRef(event, fieldRef(path));
}

/**
 * A field path compiled once per rule set: its segments pre-joined, which side it reads, and a slot in the per-event
 * cache (several rules read the same fields of an event; the first lookup walks the documents, the others reuse it).
 */
export interface FieldRef {
  readonly path: string;
  readonly side: 'both' | 'raw' | 'ecs';
  readonly compiled: CompiledPath;
  readonly slot: number;
}

const refs = new Map<string, FieldRef>();

/** The compiled form of a field path (interned: one per distinct path). */
export function fieldRef(path: string): FieldRef {
  let ref = refs.get(path);
  if (!ref) {
    const side = path.startsWith('raw.') ? 'raw' : path.startsWith('ecs.') ? 'ecs' : 'both';
    ref = { path, side, compiled: compilePath(side === 'both' ? path : path.slice(4)), slot: refs.size };
    refs.set(path, ref);
  }
  return ref;
}

/**
 * Per-event cache, for the event being evaluated: the detector runs every rule on one event before the next, so a
 * cache keyed on that one event (a generation number per slot) saves a map per event. Another event in between (a
 * correlation firing's group-by values) only costs recomputing.
 */
let cachedEvent: DetectableEvent | undefined;
let generation = 0;
const stamps: number[] = [];
const cachedValues: (readonly unknown[])[] = [];
const foldedStamps: number[] = [];
const cachedFolded: (readonly (string | undefined)[])[] = [];
const utf8Stamps: number[] = [];
const cachedUtf8: (readonly (Buffer | undefined)[])[] = [];
let stringsStamp = -1;
let cachedStrings: readonly string[] = [];
let foldedStringsStamp = -1;
let cachedFoldedStrings: readonly string[] = [];

function useEvent(event: DetectableEvent): void {
  if (event !== cachedEvent) {
    cachedEvent = event;
    generation++;
  }
}

/** Values found at the field (see the convention above); the array is shared: do not modify it. */
export function lookupRef(event: DetectableEvent, ref: FieldRef): readonly unknown[] {
  useEvent(event);
  if (stamps[ref.slot] === generation) return cachedValues[ref.slot]!;
  const values = lookupUncached(event, ref);
  stamps[ref.slot] = generation;
  cachedValues[ref.slot] = values;
  return values;
}

/**
 * The field's values lower-cased for case-insensitive matching (full Unicode mapping), one per value of `lookupRef`:
 * `String(value).toLowerCase()` for strings, numbers and booleans, undefined for anything else.
 */
export function lookupFolded(event: DetectableEvent, ref: FieldRef): readonly (string | undefined)[] {
  const values = lookupRef(event, ref);
  if (foldedStamps[ref.slot] === generation) return cachedFolded[ref.slot]!;
  const folded = values.length === 0 ? EMPTY : values.map((v) => (isScalar(v) ? String(v).toLowerCase() : undefined));
  foldedStamps[ref.slot] = generation;
  cachedFolded[ref.slot] = folded;
  return folded;
}

/** The field's values as UTF-8 (what RE2 matches), one per value of `lookupRef`; undefined for non-scalars. */
export function lookupUtf8(event: DetectableEvent, ref: FieldRef): readonly (Buffer | undefined)[] {
  const values = lookupRef(event, ref);
  if (utf8Stamps[ref.slot] === generation) return cachedUtf8[ref.slot]!;
  const utf8 = values.length === 0 ? EMPTY : values.map((v) => (isScalar(v) ? Buffer.from(String(v), 'utf8') : undefined));
  utf8Stamps[ref.slot] = generation;
  cachedUtf8[ref.slot] = utf8;
  return utf8;
}

const EMPTY: readonly never[] = Object.freeze([]);

function lookupUncached(event: DetectableEvent, ref: FieldRef): readonly unknown[] {
  if (ref.side === 'raw') return walk(event.raw, ref.compiled, 0);
  if (ref.side === 'ecs') return walk(event.ecs, ref.compiled, 0);
  const fromEcs = walk(event.ecs, ref.compiled, 0);
  return fromEcs.length > 0 ? fromEcs : walk(event.raw, ref.compiled, 0);
}

/** A dotted path with every run of consecutive segments pre-joined: `joined[i][k]` = segments i..i+k joined by dots. */
interface CompiledPath {
  length: number;
  joined: string[][];
}

function compilePath(path: string): CompiledPath {
  const segments = path.split('.');
  const joined = segments.map((_, i) => segments.slice(i).map((__, k) => segments.slice(i, i + k + 1).join('.')));
  return { length: segments.length, joined };
}

/** Values found at the path (from segment `at`) under `node`, arrays flattened; empty when the path does not exist. */
function walk(node: unknown, path: CompiledPath, at: number): readonly unknown[] {
  if (at === path.length) return leaves(node);
  if (Array.isArray(node)) {
    if (isNameValueArray(node)) return walkNameValue(node, path, at);
    const out: unknown[] = [];
    for (const item of node) for (const v of walk(item, path, at)) out.push(v);
    return out;
  }
  if (!isObject(node)) return EMPTY;
  // Longest key first, so a flat key such as "Role.DisplayName" or "source.ip" is found before nesting.
  const keys = path.joined[at]!;
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    if (Object.hasOwn(node, key)) {
      const found = walk(node[key], path, at + k + 1);
      if (found.length > 0) return found;
    }
  }
  return EMPTY;
}

function walkNameValue(items: Record<string, unknown>[], path: CompiledPath, at: number): readonly unknown[] {
  const names = path.joined[at]!;
  for (let k = names.length - 1; k >= 0; k--) {
    const name = names[k]!;
    const hits = items.filter((item) => item.Name === name);
    if (hits.length === 0) continue;
    const rest = at + k + 1;
    const out: unknown[] = [];
    for (const item of hits) {
      if (rest < path.length) for (const v of walk(item, path, rest)) out.push(v);
      // An element named but without a value (`{Name: "X"}`) is present, with a null value.
      else if (!Object.hasOwn(item, 'Value') && !Object.hasOwn(item, 'NewValue')) out.push(null);
      else for (const v of leaves(Object.hasOwn(item, 'Value') ? item.Value : item.NewValue)) out.push(v);
    }
    return out;
  }
  return EMPTY;
}

function leaves(node: unknown): readonly unknown[] {
  if (node === undefined) return EMPTY;
  if (Array.isArray(node)) {
    if (isNameValueArray(node)) return node.map(nameValueString);
    const out: unknown[] = [];
    for (const item of node) for (const v of leaves(item)) out.push(v);
    return out;
  }
  return [node];
}

function nameValueString(item: Record<string, unknown>): string {
  const value = Object.hasOwn(item, 'Value') ? item.Value : item.NewValue;
  return `${String(item.Name)}:${typeof value === 'string' ? value : JSON.stringify(value ?? '')}`;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNameValueArray(value: unknown[]): value is Record<string, unknown>[] {
  return value.length > 0 && value.every((item) => isObject(item) && typeof item.Name === 'string');
}

/** Every string-like leaf of the event (ECS then raw), for keyword (full-text) search. */
function allStrings(event: DetectableEvent): readonly string[] {
  useEvent(event);
  if (stringsStamp !== generation) {
    const out: string[] = [];
    collect(event.ecs, out);
    collect(event.raw, out);
    cachedStrings = out;
    stringsStamp = generation;
  }
  return cachedStrings;
}

/** Every string-like leaf of the event lower-cased, for case-insensitive keywords; shared: do not modify. */
export function allFoldedStrings(event: DetectableEvent): readonly string[] {
  const strings = allStrings(event);
  if (foldedStringsStamp !== generation) {
    cachedFoldedStrings = strings.map((s) => s.toLowerCase());
    foldedStringsStamp = generation;
  }
  return cachedFoldedStrings;
}

function collect(node: unknown, out: string[]): void {
  if (typeof node === 'string') out.push(node);
  else if (typeof node === 'number' || typeof node === 'boolean') out.push(String(node));
  else if (Array.isArray(node)) for (const item of node) collect(item, out);
  else if (isObject(node)) for (const key in node) collect(node[key], out);
}
