import type { Entry } from './correlation-window.ts';

/** A correlation group: the matches of one (correlation rule, tenant, group-by values), oldest first. */
export interface Group {
  ruleId: string;
  tenantId: string;
  tenantName?: string | undefined;
  groupBy: Record<string, string>;
  entries: Entry[];
  /**
   * Event time of the newest match the trim dropped from the group (absent: none since this field exists). A window
   * that started after it has lost nothing since its match fired, so it still holds (lower bounds only grow).
   */
  droppedUntil?: number;
}

/**
 * A group as written to the state store with every checkpoint that changed it. A busy group (a brute force, a user
 * signing in all day) holds hundreds of matches and is written again with each batch, so each match is kept short:
 * `[time, step, key]`, or `[time, step, key, eventIds, values, fired]` when it holds more than one event, values or a
 * firing, where
 * - time is the gap to the previous match (the first match's is its event time);
 * - key loses the group's `tenantId:` prefix (a key that did not have it, or whose rest starts with `!`, is kept
 *   whole after a `!`);
 * - eventIds is 0 when it is just the key (one event counted by its id), values 0 when empty;
 * - fired is 0 (not fired), -1 (fired, firing not numbered) or the firing's number.
 * Rows written before this format (a JSON object of the group itself) are still read.
 */
interface StoredGroup {
  v: 2;
  r: string;
  t: string;
  n?: string | undefined;
  g: Record<string, string>;
  d?: number | undefined;
  e: StoredEntry[];
}

type StoredEntry = [number, number, string] | [number, number, string, string[] | 0, string[] | 0, number];

export function encodeGroup(group: Group): string {
  const { tenantId, entries } = group;
  const rest = tenantId.length + 1;
  const e = new Array<StoredEntry>(entries.length);
  let previous = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const { key, eventIds, values } = entry;
    const cut = key.startsWith(tenantId) && key.charCodeAt(rest - 1) === COLON && key[rest] !== '!';
    const shortKey = cut ? key.slice(rest) : `!${key}`;
    const own = eventIds.length === 1 && eventIds[0] === key;
    const fired = entry.fired ? (entry.firedAt ?? -1) : 0;
    const gap = entry.time - previous;
    previous = entry.time;
    // Plain arrays of one shape each, built in one pass: this runs for every match of every changed group.
    e[i] =
      own && values.length === 0 && fired === 0
        ? [gap, entry.ruleIndex, shortKey]
        : [gap, entry.ruleIndex, shortKey, own ? 0 : eventIds, values.length > 0 ? values : 0, fired];
  }
  const stored: StoredGroup = {
    v: 2,
    r: group.ruleId,
    t: tenantId,
    n: group.tenantName,
    g: group.groupBy,
    d: group.droppedUntil,
    e,
  };
  return JSON.stringify(stored);
}

const COLON = 0x3a;

export function decodeGroup(text: string): Group {
  const parsed = JSON.parse(text) as StoredGroup | Group;
  if (!('v' in parsed)) return parsed;
  const prefix = `${parsed.t}:`;
  const paste = (id: string): string => (id.startsWith('!') ? id.slice(1) : prefix + id);
  let time = 0;
  const entries = parsed.e.map((stored): Entry => {
    const [gap, ruleIndex, key, ids = 0, values = 0, fired = 0] = stored as [
      number,
      number,
      string,
      string[] | 0,
      string[] | 0,
      number,
    ];
    time += gap;
    const full = paste(key);
    const entry: Entry = { time, ruleIndex, key: full, eventIds: ids === 0 ? [full] : ids, values: values || [] };
    if (fired !== 0) entry.fired = true;
    if (fired > 0) entry.firedAt = fired;
    return entry;
  });
  const group: Group = { ruleId: parsed.r, tenantId: parsed.t, tenantName: parsed.n, groupBy: parsed.g, entries };
  if (parsed.d !== undefined) group.droppedUntil = parsed.d;
  return group;
}
