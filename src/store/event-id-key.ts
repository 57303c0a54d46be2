import type { Database } from 'better-sqlite3';

/**
 * The integer key of an event id (`events.id_key`, indexed): a 53-bit hash, so looking an id up walks a B-tree of
 * 8-byte integers instead of one of ~75-byte text keys (inserting into that one cost ~25 µs per event at 400k events
 * and grew with the store). Not unique: two ids may share a key, so every lookup also compares the id itself.
 * Part of the store format (schema.ts): changing it needs a new format version.
 */
export function eventIdKey(id: string): number {
  // Two 32-bit FNV-1a hashes with different offset bases, each finished with murmur3's mix.
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  a = mix(a);
  b = mix(b ^ 0x9e3779b9);
  return (a >>> 0) * 0x200000 + (b >>> 11);
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Makes `event_id_key(id)` callable in SQL on this connection (alert links look events up by it). */
export function registerEventIdKey(db: Database): void {
  db.function('event_id_key', { deterministic: true }, (id) => (typeof id === 'string' ? eventIdKey(id) : null));
}
