import type { OutputEvent, OutputKind } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';

/** Passes only the configured kinds of events (events, alerts, dead letters) to the sink it wraps. */
export class KindFilterSink implements Sink {
  readonly name: string;
  readonly inner: Sink;
  readonly #kinds: ReadonlySet<OutputKind>;

  constructor(inner: Sink, kinds: readonly OutputKind[]) {
    this.name = inner.name;
    this.inner = inner;
    this.#kinds = new Set(kinds);
  }

  open(committedPosition?: string): Promise<void> {
    return this.inner.open(committedPosition);
  }

  write(events: readonly OutputEvent[]): Promise<void> {
    const kept = events.filter((e) => this.#kinds.has(e.kind));
    return kept.length === 0 ? Promise.resolve() : this.inner.write(kept);
  }

  position(): string | undefined {
    return this.inner.position?.();
  }

  get commit(): (() => void) | undefined {
    const inner = this.inner;
    return inner.commit ? () => inner.commit?.() : undefined;
  }

  get rollBack(): ((position: string) => Promise<void>) | undefined {
    const inner = this.inner;
    return inner.rollBack ? (position) => inner.rollBack?.(position) ?? Promise.resolve() : undefined;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
