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
 * `[time, step, key, eventIds, values, fired]`, where
 * - time is the gap to the previous match (the first match's is its event time);
 * - key and event ids lose the group's `tenantId:` prefix (a kept string that did not have it starts with `!`);
 * - eventIds is 0 when it is just the key (one event counted by its id), values 0 when empty;
 * - fired is 0 (not fired), -1 (fired, firing not numbered) or the firing's number; trailing zeros are left out.
 * Rows written before this format (a JSON object of the group itself) are still read.
 */
interface StoredGroup {
  v: 2;
  r: string;
  t: string;
  n?: string;
  g: Record<string, string>;
  d?: number;
  e: StoredEntry[];
}

type StoredEntry = (number | string | string[])[];

export function encodeGroup(group: Group): string {
  const prefix = `${group.tenantId}:`;
  const cut = (id: string): string => (id.startsWith(prefix) && id[prefix.length] !== '!' ? id.slice(prefix.length) : `!${id}`);
  let previous = 0;
  const e = group.entries.map((entry): StoredEntry => {
    const own = entry.eventIds.length === 1 && entry.eventIds[0] === entry.key;
    const fired = entry.fired ? (entry.firedAt ?? -1) : 0;
    const out: StoredEntry = [entry.time - previous, entry.ruleIndex, cut(entry.key)];
    previous = entry.time;
    if (fired !== 0 || entry.values.length > 0 || !own) out.push(own ? 0 : entry.eventIds.map(cut));
    if (fired !== 0 || entry.values.length > 0) out.push(entry.values.length > 0 ? entry.values : 0);
    if (fired !== 0) out.push(fired);
    return out;
  });
  const stored: StoredGroup = { v: 2, r: group.ruleId, t: group.tenantId, g: group.groupBy, e };
  if (group.tenantName !== undefined) stored.n = group.tenantName;
  if (group.droppedUntil !== undefined) stored.d = group.droppedUntil;
  return JSON.stringify(stored);
}

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
    const entry: Entry = { time, ruleIndex, key: full, eventIds: ids === 0 ? [full] : ids.map(paste), values: values || [] };
    if (fired !== 0) entry.fired = true;
    if (fired > 0) entry.firedAt = fired;
    return entry;
  });
  const group: Group = { ruleId: parsed.r, tenantId: parsed.t, tenantName: parsed.n, groupBy: parsed.g, entries };
  if (parsed.d !== undefined) group.droppedUntil = parsed.d;
  return group;
}
