import { LRUCache } from 'lru-cache';

/**
 * A bounded least-recently-used cache (the `lru-cache` package) for values derived from record fields: parsed user
 * agents, domain splits, GeoIP answers. Values may be null (a remembered miss): they are kept in a box, because
 * `lru-cache` takes no null values.
 */
export class LruCache<K extends {}, V> {
  readonly #cache: LRUCache<K, { value: V }>;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`LruCache size must be a positive integer, got ${max}`);
    this.#cache = new LRUCache<K, { value: V }>({ max });
  }

  get(key: K): V | undefined {
    return this.#cache.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.#cache.set(key, { value });
  }

  get size(): number {
    return this.#cache.size;
  }
}
