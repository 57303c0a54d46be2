import { Rng } from './rng.ts';
import type { ChaosOptions } from './types.ts';

export const DEFAULT_CHAOS: ChaosOptions = {
  duplicateWithinBlob: 0,
  duplicateAcrossBlobs: 0,
  lateBlob: 0,
  lateBlobMaxMs: 3 * 3_600_000,
  transientError: 0,
  throttle: 0,
  throttleStatus: 403,
  publisherQuotaPerMinute: 60_000,
  slowResponse: 0,
  slowResponseMs: 2_000,
  truncatedBlob: 0,
  foreignContentUri: 0,
  hugeBlobBytes: 0,
  nextPageUrlSpelling: false,
  blobRedirect: 0,
  blobRedirectTarget: 'foreign-host',
  badNextPageBefore: 0,
  listingWithoutExpiration: 0,
  listingWithoutContentUri: 0,
  nonObjectElement: 0,
  echoCredentials: false,
  apiErrorEcho: 0,
};

export type TransientFault = { status: 500 | 503 | 408; kind: 'transient500' | 'transient503' | 'transient408' };

const TRANSIENT: readonly TransientFault[] = [
  { status: 500, kind: 'transient500' },
  { status: 503, kind: 'transient503' },
  { status: 408, kind: 'transient408' },
];

/** Seeded fault decisions; each switch has its own random stream so enabling one does not shift another. */
export class Chaos {
  #options: ChaosOptions;
  readonly #streams = new Map<string, Rng>();
  readonly #seed: number;

  constructor(seed: number, options: Partial<ChaosOptions> = {}) {
    this.#seed = seed;
    this.#options = { ...DEFAULT_CHAOS, ...options };
  }

  get options(): Readonly<ChaosOptions> {
    return this.#options;
  }

  update(options: Partial<ChaosOptions>): void {
    this.#options = { ...this.#options, ...options };
  }

  /** The random stream of one switch. */
  rng(name: string): Rng {
    let rng = this.#streams.get(name);
    if (!rng) {
      let h = this.#seed;
      for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
      rng = new Rng(h);
      this.#streams.set(name, rng);
    }
    return rng;
  }

  roll(name: keyof ChaosOptions): boolean {
    const p = this.#options[name];
    return typeof p === 'number' && this.rng(name).chance(p);
  }

  transientFault(): TransientFault | undefined {
    return this.roll('transientError') ? this.rng('transientKind').pick(TRANSIENT) : undefined;
  }

  /** Takes the one-shot huge-blob request, if any. */
  takeHugeBlob(): number {
    const bytes = this.#options.hugeBlobBytes;
    if (bytes > 0) this.#options = { ...this.#options, hugeBlobBytes: 0 };
    return bytes;
  }
}
