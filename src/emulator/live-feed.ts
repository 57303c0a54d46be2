import type { ContentType } from '../core/content-types.ts';
import type { BlobPublisher } from './blob-publisher.ts';
import { generateRecords, type ScenarioRecord } from './records/index.ts';
import type { Rng } from './rng.ts';
import type { TenantRegistry } from './tenant-registry.ts';

export interface LiveFeedOptions {
  eventsPerMinute: number;
  recordsPerBlob: number;
  scenarios: boolean;
}

const TICK_MS = 1_000;
/** Pending records are flushed at least this often, even when a blob is not full. */
const FLUSH_EVERY_TICKS = 10;
/** Chance per tick and tenant of a demo scenario (about one every 2 minutes). */
const SCENARIO_CHANCE = 1 / 120;

/** Background ticker publishing blobs with contentCreated = now. */
export class LiveFeed {
  readonly #pending = new Map<string, ScenarioRecord[]>();
  readonly #carry = new Map<string, number>();
  #ticks = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: TenantRegistry,
    private readonly publisher: BlobPublisher,
    private readonly rng: Rng,
    private readonly options: LiveFeedOptions,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.onError(err);
      }
    }, TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One second of traffic for every tenant. */
  tick(): void {
    this.#ticks++;
    const at = this.now();
    for (const tenant of this.registry.all()) {
      const carry = (this.#carry.get(tenant.tenantId) ?? 0) + this.options.eventsPerMinute / 60;
      const count = Math.floor(carry);
      this.#carry.set(tenant.tenantId, carry - count);
      const pending = this.#pending.get(tenant.tenantId) ?? [];
      pending.push(...generateRecords(count, this.rng, tenant.context, { at, spreadMs: 60_000 }));
      if (this.options.scenarios && this.rng.chance(SCENARIO_CHANCE))
        pending.push(...this.publisher.scenario(tenant.tenantId, at));
      this.#flush(tenant.tenantId, pending, at);
    }
  }

  #flush(tenantId: string, pending: ScenarioRecord[], at: number): void {
    const byType = new Map<ContentType, number>();
    for (const item of pending) byType.set(item.contentType, (byType.get(item.contentType) ?? 0) + 1);
    const full = [...byType.values()].some((n) => n >= this.options.recordsPerBlob);
    if (pending.length > 0 && (full || this.#ticks % FLUSH_EVERY_TICKS === 0)) {
      this.publisher.publishMixed(tenantId, pending, this.options.recordsPerBlob, at);
      this.#pending.set(tenantId, []);
    } else {
      this.#pending.set(tenantId, pending);
    }
  }
}
