import { LRUCache } from 'lru-cache';
import type { DetectionStateChanges, DetectionStateRow } from '../core/detection-state.ts';

interface Before<V> {
  tenantId: string;
  value: V | undefined;
}

/**
 * A bounded map (the least recently used entry is evicted beyond `max`) that remembers, per key, the value it had at
 * the last commit: `changes()` lists what to write with the next checkpoint, `rollback()` puts the committed
 * values back (a batch that failed is delivered again and must not be counted twice).
 * Values must not be mutated without `edit()` first (it keeps a copy of the committed value).
 */
export class TrackedMap<V extends object> {
  readonly #cache: LRUCache<string, V>;
  readonly #before = new Map<string, Before<V>>();
  readonly #tenantOf: (value: V) => string;
  readonly #copy: (value: V) => V;
  /** Off until `restore()`: without a store to commit to, remembering changes would only grow. */
  #tracking = false;

  constructor(options: { max: number; tenantOf: (value: V) => string; copy: (value: V) => V; onEvict?: () => void }) {
    this.#tenantOf = options.tenantOf;
    this.#copy = options.copy;
    const onEvict = options.onEvict;
    this.#cache = new LRUCache<string, V>({
      max: options.max,
      dispose: (value, key, reason) => {
        if (reason !== 'evict') return;
        if (this.#tracking && !this.#before.has(key)) this.#before.set(key, { tenantId: this.#tenantOf(value), value });
        onEvict?.();
      },
    });
  }

  get size(): number {
    return this.#cache.size;
  }

  peek(key: string): V | undefined {
    return this.#cache.peek(key);
  }

  /** The value, to be changed in place (marks it recently used and changed). */
  edit(key: string): V | undefined {
    const value = this.#cache.get(key);
    if (value !== undefined) this.#remember(key, this.#tenantOf(value), value);
    return value;
  }

  set(key: string, value: V): void {
    this.#remember(key, this.#tenantOf(value), this.#cache.peek(key));
    this.#cache.set(key, value);
  }

  delete(key: string): void {
    const value = this.#cache.peek(key);
    if (value === undefined) return;
    this.#remember(key, this.#tenantOf(value), value);
    this.#cache.delete(key);
  }

  /** Entries, least recently used first (safe to delete while iterating). */
  entries(): [string, V][] {
    const out: [string, V][] = [];
    this.#cache.rforEach((value, key) => {
      out.push([key, value]);
    });
    return out;
  }

  /** Rows to write and delete so that the stored state equals this map. */
  changes(toJson: (value: V) => string): DetectionStateChanges {
    const out: DetectionStateChanges = { upserts: [], deletes: [] };
    for (const [key, before] of this.#before) {
      const value = this.#cache.peek(key);
      if (value === undefined) out.deletes.push({ tenantId: before.tenantId, key });
      else out.upserts.push({ tenantId: this.#tenantOf(value), key, value: toJson(value) });
    }
    return out;
  }

  /** The changes were committed: they are the new baseline. */
  commit(): void {
    this.#before.clear();
  }

  /** Puts back the values of the last commit. */
  rollback(): void {
    if (!this.#tracking) return;
    this.#tracking = false;
    for (const [key, before] of this.#before) {
      if (before.value === undefined) this.#cache.delete(key);
      else this.#cache.set(key, before.value);
    }
    this.#before.clear();
    this.#tracking = true;
  }

  /** Loads committed rows (at start): they are the baseline, nothing to write. From now on changes are tracked. */
  restore(rows: DetectionStateRow[], fromJson: (row: DetectionStateRow) => V | undefined): void {
    this.#tracking = false;
    for (const row of rows) {
      const value = fromJson(row);
      if (value !== undefined) this.#cache.set(row.key, value);
    }
    this.#tracking = true;
  }

  /** Drops a tenant's entries from memory without recording a change (another worker now owns its stored state). */
  forgetTenant(tenantId: string): void {
    const tracking = this.#tracking;
    this.#tracking = false;
    for (const [key, value] of this.entries()) if (this.#tenantOf(value) === tenantId) this.#cache.delete(key);
    for (const [key, before] of this.#before) if (before.tenantId === tenantId) this.#before.delete(key);
    this.#tracking = tracking;
  }

  #remember(key: string, tenantId: string, value: V | undefined): void {
    if (!this.#tracking || this.#before.has(key)) return;
    this.#before.set(key, { tenantId, value: value === undefined ? undefined : this.#copy(value) });
  }
}
