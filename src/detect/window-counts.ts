import type { Entry } from './correlation-window.ts';
import type { CorrelationRule } from './types.ts';

/** What a rule counts in a window: the distinct matches, values or steps. */
type ItemsOf = (entry: Entry) => readonly (string | number)[];

const byKey: ItemsOf = (e) => [e.key];
const byValues: ItemsOf = (e) => e.values;
const byStep: ItemsOf = (e) => [e.ruleIndex];

/**
 * The items a lower-bound rule counts, for rules whose window test is a distinct count (event_count, value_count,
 * temporal) or starts with one (temporal_ordered needs every step in the window); undefined for sums.
 */
export function countedItems(rule: CorrelationRule): ItemsOf | undefined {
  switch (rule.type) {
    case 'event_count':
      return byKey;
    case 'value_count':
      return byValues;
    case 'temporal':
    case 'temporal_ordered':
      return byStep;
    default:
      return undefined;
  }
}

/**
 * Distinct items counted over a contiguous range `[from, to)` of a group's entries (sorted by time), kept as the range
 * moves: moving it to the window ending at the next match costs the entries that enter and leave it, so a group
 * receiving matches in time order pays amortised O(1) per match instead of a rescan of its window.
 * The owner keeps it in step with insertions and removals (`inserted`, `removedFirst`).
 */
export class WindowCounts {
  from = 0;
  to = 0;
  /** Distinct items in the range. */
  distinct = 0;
  readonly #counts = new Map<string | number, number>();
  readonly #itemsOf: ItemsOf;

  constructor(itemsOf: ItemsOf) {
    this.#itemsOf = itemsOf;
  }

  /** Moves the range to `[from, to)` of `entries`. */
  moveTo(entries: Entry[], from: number, to: number): void {
    if (from >= this.to || to <= this.from) {
      // Disjoint: start again rather than add and remove everything in between.
      this.#counts.clear();
      this.distinct = 0;
      this.from = this.to = from;
    }
    while (this.from > from) this.#add(entries[--this.from]!);
    while (this.to < to) this.#add(entries[this.to++]!);
    while (this.from < from) this.#remove(entries[this.from++]!);
    while (this.to > to) this.#remove(entries[--this.to]!);
  }

  /** An entry was inserted at `index` of the entries. */
  inserted(entry: Entry, index: number): void {
    if (index <= this.from) {
      this.from++;
      this.to++;
    } else if (index < this.to) {
      this.#add(entry);
      this.to++;
    }
  }

  /** The first `count` entries were removed (the caller removes them after this call). */
  removedFirst(entries: Entry[], count: number): void {
    for (let i = this.from; i < Math.min(count, this.to); i++) this.#remove(entries[i]!);
    this.from = Math.max(0, this.from - count);
    this.to = Math.max(0, this.to - count);
    if (this.from === this.to) this.#counts.clear();
  }

  #add(entry: Entry): void {
    for (const item of this.#itemsOf(entry)) {
      const n = this.#counts.get(item) ?? 0;
      if (n === 0) this.distinct++;
      this.#counts.set(item, n + 1);
    }
  }

  #remove(entry: Entry): void {
    for (const item of this.#itemsOf(entry)) {
      const n = this.#counts.get(item)!;
      if (n === 1) {
        this.#counts.delete(item);
        this.distinct--;
      } else this.#counts.set(item, n - 1);
    }
  }
}
