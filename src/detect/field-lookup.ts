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
  if (path.startsWith('raw.')) return walk(event.raw, path.slice(4).split('.'));
  if (path.startsWith('ecs.')) return walk(event.ecs, path.slice(4).split('.'));
  const segments = path.split('.');
  const fromEcs = walk(event.ecs, segments);
  return fromEcs.length > 0 ? fromEcs : walk(event.raw, segments);
}

/** Values found at `segments` under `node`, arrays flattened; empty when the path does not exist. */
function walk(node: unknown, segments: string[]): unknown[] {
  if (segments.length === 0) return leaves(node);
  if (Array.isArray(node)) {
    if (isNameValueArray(node)) return walkNameValue(node, segments);
    return node.flatMap((item) => walk(item, segments));
  }
  if (!isObject(node)) return [];
  const out: unknown[] = [];
  // Longest key first, so a flat key such as "Role.DisplayName" or "source.ip" is found before nesting.
  for (let take = segments.length; take >= 1; take--) {
    const key = take === 1 ? segments[0]! : segments.slice(0, take).join('.');
    if (Object.hasOwn(node, key)) {
      out.push(...walk(node[key], segments.slice(take)));
      if (out.length > 0) return out;
    }
  }
  return out;
}

function walkNameValue(items: Record<string, unknown>[], segments: string[]): unknown[] {
  for (let take = segments.length; take >= 1; take--) {
    const name = segments.slice(0, take).join('.');
    const rest = segments.slice(take);
    const hits = items.filter((item) => item.Name === name);
    if (hits.length === 0) continue;
    return hits.flatMap((item) => {
      if (rest.length > 0) return walk(item, rest);
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
