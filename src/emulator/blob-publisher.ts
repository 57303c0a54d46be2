import type { AuditRecord } from '../core/audit-record.ts';
import type { ContentType } from '../core/content-types.ts';
import type { Chaos } from './chaos.ts';
import { makeContentId, TenantContent, type StoredBlob } from './content-store.ts';
import type { StatsCollector } from './emulator-stats.ts';
import { planHugeBlob } from './huge-blob.ts';
import { generateRecords, generateScenario, type ScenarioRecord } from './records/index.ts';
import type { Rng } from './rng.ts';
import type { TenantRegistry } from './tenant-registry.ts';
import type { GenerateOptions, PublishOptions } from './types.ts';

export const DEFAULT_RECORDS_PER_BLOB = 80;

export interface PublisherDeps {
  registry: TenantRegistry;
  chaos: Chaos;
  rng: Rng;
  stats: StatsCollector;
  retentionMs: number;
  /** Bound on stored blob bodies; the oldest are evicted (then answer AF20051) beyond it. */
  maxStoredBytes: number;
  now: () => number;
  /** Called for every listable blob once stored (webhook notifications). */
  onPublished?: (blob: StoredBlob) => void;
}

/** Turns records into blobs (applying duplicate/late/huge chaos) and stores them per tenant. */
export class BlobPublisher {
  readonly #contents = new Map<string, TenantContent>();
  /** Blobs with a stored body, oldest first, for eviction. */
  readonly #stored: { blob: StoredBlob; bytes: number }[] = [];
  #storedBytes = 0;
  #sequence = 0;

  constructor(private readonly deps: PublisherDeps) {
    for (const [i, t] of deps.registry.all().entries()) this.#contents.set(t.tenantId, new TenantContent(t.tenantId, i));
  }

  content(tenantId: string): TenantContent {
    const tenant = this.deps.registry.require(tenantId);
    const content = this.#contents.get(tenant.tenantId);
    if (!content) throw new RangeError(`no content store for ${tenant.tenantId}`);
    return content;
  }

  /** Publishes records as blobs of `recordsPerBlob`; returns the contentIds. */
  publish(tenantId: string, contentType: ContentType, records: AuditRecord[], opts: PublishOptions = {}): string[] {
    const content = this.content(tenantId);
    const size = Math.max(1, opts.recordsPerBlob ?? DEFAULT_RECORDS_PER_BLOB);
    const created = opts.contentCreated ?? this.deps.now();
    const ids: string[] = [];
    for (let i = 0; i < records.length; i += size)
      ids.push(this.#storeBlob(content, contentType, records.slice(i, i + size), created));
    return ids;
  }

  /** Generates `count` realistic records and publishes them, with late/huge chaos applied per blob. */
  generate(tenantId: string, count: number, opts: GenerateOptions = {}): void {
    const tenant = this.deps.registry.require(tenantId);
    const at = opts.contentCreated ?? this.deps.now();
    this.publishMixed(
      tenant.tenantId,
      generateRecords(count, this.deps.rng, tenant.context, { contentTypes: opts.contentTypes, at, spreadMs: 30 * 60_000 }),
      opts.recordsPerBlob,
      at,
    );
  }

  /** Adds one demo scenario's records to the tenant (random scenario unless named). */
  scenario(tenantId: string, at: number, name?: string): ScenarioRecord[] {
    const tenant = this.deps.registry.require(tenantId);
    return generateScenario(this.deps.rng, tenant.context, at, name);
  }

  /** Groups records by content type and publishes them; the first blob may become huge or late. */
  publishMixed(tenantId: string, items: ScenarioRecord[], recordsPerBlob: number | undefined, contentCreated: number): void {
    const byType = new Map<ContentType, AuditRecord[]>();
    for (const { contentType, record } of items) {
      const list = byType.get(contentType) ?? [];
      list.push(record);
      byType.set(contentType, list);
    }
    const { chaos } = this.deps;
    for (const [contentType, records] of byType) {
      const hugeBytes = chaos.takeHugeBlob();
      if (hugeBytes > 0) this.publishHugeBlob(tenantId, contentType, hugeBytes);
      let created = contentCreated;
      if (chaos.roll('lateBlob')) {
        created -= chaos.rng('lateBlobAge').int(30 * 60_000, Math.max(30 * 60_000, chaos.options.lateBlobMaxMs));
        this.deps.stats.injected('late');
      }
      this.publish(tenantId, contentType, records, { recordsPerBlob, contentCreated: created });
    }
  }

  /** One streamed blob of at least `minBytes`; only its record Ids are kept in memory. */
  publishHugeBlob(
    tenantId: string,
    contentType: ContentType,
    minBytes: number,
    contentCreated: number = this.deps.now(),
  ): string {
    const content = this.content(tenantId);
    const tenant = this.deps.registry.require(tenantId);
    const seed = this.deps.rng.int(1, 0x7fffffff);
    const plan = planHugeBlob(seed, minBytes, tenant.context, contentType, contentCreated);
    const contentId = this.#nextContentId(content, contentType, contentCreated);
    const listable = content.acceptsContent(contentType);
    content.add(
      {
        contentId,
        tenantId: content.tenantId,
        contentType,
        contentCreated,
        contentExpiration: contentCreated + this.deps.retentionMs,
        body: { kind: 'huge', seed, recordCount: plan.recordCount },
        foreignHost: false,
        listable,
      },
      plan.ids,
    );
    if (listable) this.deps.onPublished?.(content.blobById.get(contentId)!);
    this.deps.stats.injected('huge');
    this.deps.stats.blobsPublished++;
    this.deps.stats.recordsPublished += plan.recordCount;
    return contentId;
  }

  #keep(blob: StoredBlob, bytes: number): void {
    this.#stored.push({ blob, bytes });
    this.#storedBytes += bytes;
    while (this.#storedBytes > this.deps.maxStoredBytes && this.#stored.length > 1) {
      const oldest = this.#stored.shift();
      if (!oldest) break;
      oldest.blob.body = { kind: 'evicted' };
      this.#storedBytes -= oldest.bytes;
      this.deps.stats.injected('evicted');
    }
  }

  #nextContentId(content: TenantContent, contentType: ContentType, created: number): string {
    this.#sequence++;
    return makeContentId(contentType, created, this.#sequence, content.region);
  }

  #storeBlob(content: TenantContent, contentType: ContentType, records: AuditRecord[], created: number): string {
    const { chaos, stats } = this.deps;
    const body: AuditRecord[] = [];
    for (const record of records) {
      body.push(record);
      if (chaos.roll('duplicateWithinBlob')) {
        body.push(record);
        stats.injected('duplicateWithin');
      }
    }
    const recent = content.recent(contentType);
    if (recent.length > 0 && chaos.roll('duplicateAcrossBlobs')) {
      const earlier = chaos.rng('duplicateAcrossPick').pick(recent);
      body.splice(chaos.rng('duplicateAcrossPos').int(0, body.length), 0, earlier);
      stats.injected('duplicateAcross');
    }
    // A non-record element (string or null) among the records: stored, so every download of the blob carries it.
    const elements: unknown[] = [...body];
    if (chaos.roll('nonObjectElement')) {
      const junk = chaos.rng('nonObjectKind').pick(['not a record', null] as const);
      elements.splice(chaos.rng('nonObjectPos').int(0, elements.length), 0, junk);
      stats.injected('nonObjectElement');
    }
    const listable = content.acceptsContent(contentType);
    const contentId = this.#nextContentId(content, contentType, created);
    const foreignHost = chaos.roll('foreignContentUri');
    if (foreignHost) stats.injected('foreignUri');
    const json = JSON.stringify(elements);
    const blob: StoredBlob = {
      contentId,
      tenantId: content.tenantId,
      contentType,
      contentCreated: created,
      contentExpiration: created + this.deps.retentionMs,
      body: { kind: 'records', json },
      foreignHost,
      listable,
    };
    content.add(
      blob,
      body.map((r) => String(r.Id)),
    );
    this.#keep(blob, json.length);
    if (listable) this.deps.onPublished?.(blob);
    // Only records whose blob can be listed are candidates for cross-blob duplicates (keeps ground truth exact).
    if (listable) for (const r of records) content.remember(contentType, r);
    stats.blobsPublished++;
    stats.recordsPublished += body.length;
    return contentId;
  }
}
