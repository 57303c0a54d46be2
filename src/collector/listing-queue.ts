/** A stream's listing work in one poll cycle, done one turn (one window) at a time. */
export interface ListingTurns {
  /** Does the next turn; resolves true while there is more to do. Must not reject: errors are the stream's to handle. */
  next(): Promise<boolean>;
}

/**
 * The listings of all tenants' streams, at most `slots` turns at once, first come first served: a stream that has
 * more to list after its turn goes to the back, behind every other stream waiting, so each stream gets its first
 * window listed before any stream its second. A waiting stream is an entry in this queue, not a request created in
 * advance: with 1000 tenants × 5 content types, 5000 pending requests (generators, promises, URLs) held 15–20 MB.
 */
export class ListingQueue {
  readonly #slots: number;
  #waiting: ListingTurns[] = [];
  #head = 0;
  #running = 0;

  constructor(slots: number) {
    this.#slots = Math.max(1, slots);
  }

  add(turns: ListingTurns): void {
    this.#waiting.push(turns);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#slots && this.#head < this.#waiting.length) {
      const turns = this.#waiting[this.#head]!;
      this.#head += 1;
      void this.#turn(turns);
    }
    // Drop the entries already taken once they are most of the array (a shift per turn would copy it every time).
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  async #turn(turns: ListingTurns): Promise<void> {
    this.#running += 1;
    let more = false;
    try {
      more = await turns.next();
    } finally {
      this.#running -= 1;
      if (more) this.#waiting.push(turns);
      this.#pump();
    }
  }
}
