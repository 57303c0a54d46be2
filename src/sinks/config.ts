import { z } from 'zod';
import { duration } from '../config/duration.ts';
import { secret } from '../config/secret-ref.ts';
import { SEKOIA_REGIONS } from './sekoia/regions.ts';

const MiB = 1024 * 1024;

/**
 * Which kinds of OutputEvent a sink receives. Default: events and alerts (records the pipeline could not
 * process go to `<data_dir>/dead-letter/pipeline.ndjson`; add `dead-letter` to send them here too).
 */
const kinds = z
  .array(z.enum(['event', 'alert', 'dead-letter']))
  .min(1)
  .default(['event', 'alert']);

/**
 * What sits between the pipeline and the destination.
 * - `disk`: a durable per-sink spool; `write` is acknowledged once the batch is fsynced to it and a
 *   drainer delivers to the destination in order, with its own cursor. A down sink blocks nobody until
 *   the spool holds `max_bytes` (then writes wait: backpressure, never a drop). Survives restarts.
 * - `memory`: no spool; `write` is acknowledged by the destination itself.
 */
const buffer = z
  .object({
    type: z.enum(['memory', 'disk']),
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(1024 * MiB),
    /** Spool folder; default `<data_dir>/spool/<sink name>`. */
    path: z.string().min(1).optional(),
    /** Size of one spool segment file. */
    segment_bytes: z
      .number()
      .int()
      .positive()
      .default(16 * MiB),
  })
  .strict();

/** Retries inside one write (network sinks); after the last attempt the spool (if any) retries later. */
const retry = z
  .object({
    max_attempts: z.number().int().min(1).max(100).default(5),
    initial_backoff: duration.prefault('500ms'),
    max_backoff: duration.prefault('30s'),
  })
  .strict()
  .prefault({});

const tls = z
  .object({
    /** PEM CA bundle file to trust (in addition to the system CAs when omitted). */
    ca_file: z.string().min(1).optional(),
    /** Skip certificate verification (testing only). */
    insecure_skip_verify: z.boolean().default(false),
  })
  .strict()
  .optional();

const common = {
  name: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .optional(),
  kinds,
};

const networkCommon = {
  ...common,
  buffer: buffer.prefault({ type: 'disk' }),
  retry,
  /** Per-request timeout. */
  timeout: duration.prefault('30s'),
  tls,
};

const fileSink = z
  .object({
    type: z.literal('file'),
    ...common,
    path: z.string().min(1),
    /** Size/time rotation: the active file is renamed `<stem>-<generation><ext>` before a write once it is too big or too old. */
    rotate: z
      .object({
        max_bytes: z.number().int().positive().optional(),
        interval: duration.optional(),
        /** Rotated files kept; the oldest are deleted. */
        max_files: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const stdoutSink = z
  .object({
    type: z.literal('stdout'),
    ...common,
  })
  .strict();

const sekoiaSink = z
  .object({
    type: z.literal('sekoia'),
    ...networkCommon,
    intake_key: secret,
    region: z.enum(SEKOIA_REGIONS).default('FRA1'),
    /** Overrides the region's base URL (`/batch` is appended). */
    intake_url: z.url().optional(),
    gzip: z.boolean().default(true),
    max_batch_bytes: z
      .number()
      .int()
      .positive()
      .max(10 * MiB)
      .default(9 * MiB),
    max_batch_events: z.number().int().positive().default(10_000),
    /** Events larger than this (JSON bytes) are refused by the intake: they go to the dead-letter file instead. */
    max_event_bytes: z.number().int().positive().default(250_000),
  })
  .strict();

const httpSink = z
  .object({
    type: z.literal('http'),
    ...networkCommon,
    url: z.url(),
    method: z.enum(['POST', 'PUT']).default('POST'),
    format: z.enum(['ndjson', 'json_array']).default('ndjson'),
    gzip: z.boolean().default(false),
    /** Extra headers; values are secrets (API keys) and never logged. */
    headers: z.record(z.string().min(1), secret).default({}),
    max_batch_bytes: z
      .number()
      .int()
      .positive()
      .default(5 * MiB),
    max_batch_events: z.number().int().positive().default(5_000),
  })
  .strict();

const elasticsearchSink = z
  .object({
    type: z.literal('elasticsearch'),
    ...networkCommon,
    /** Base URL of the cluster (Elasticsearch or OpenSearch); `/_bulk` is appended. */
    url: z.url(),
    /** Index name; `{yyyy}` `{MM}` `{dd}` (event time, UTC), `{kind}` and `{tenant}` are replaced. */
    index: z.string().min(1).default('o365-{kind}-{yyyy}.{MM}.{dd}'),
    /** `create` never overwrites (a replay is a no-op: 409 counts as delivered); `index` overwrites. */
    op_type: z.enum(['create', 'index']).default('create'),
    pipeline: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: secret.optional(),
    api_key: secret.optional(),
    gzip: z.boolean().default(false),
    max_batch_bytes: z
      .number()
      .int()
      .positive()
      .default(5 * MiB),
    max_batch_events: z.number().int().positive().default(2_000),
  })
  .strict()
  .refine((c) => (c.username === undefined) === (c.password === undefined), {
    message: 'set both username and password',
    path: ['password'],
  })
  .refine((c) => !(c.api_key && c.username), { message: 'set either api_key or username/password, not both', path: ['api_key'] });

const splunkHecSink = z
  .object({
    type: z.literal('splunk_hec'),
    ...networkCommon,
    /** Base URL of the HEC endpoint, e.g. https://splunk:8088 (`/services/collector/event` is appended). */
    url: z.url(),
    token: secret,
    sourcetype: z.string().min(1).default('o365:management:activity'),
    source: z.string().min(1).optional(),
    index: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    /** Wait for indexer acknowledgement (`/services/collector/ack`) before acknowledging a batch. */
    indexer_ack: z.boolean().default(false),
    /** Channel GUID for indexer acknowledgement; a random one when omitted. */
    channel: z.uuid().optional(),
    ack_timeout: duration.prefault('60s'),
    ack_poll_interval: duration.prefault('1s'),
    gzip: z.boolean().default(false),
    max_batch_bytes: z
      .number()
      .int()
      .positive()
      .default(5 * MiB),
    max_batch_events: z.number().int().positive().default(5_000),
  })
  .strict();

export const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

const syslogSink = z
  .object({
    type: z.literal('syslog'),
    ...networkCommon,
    host: z.string().min(1),
    /** Default 514 (udp/tcp) or 6514 (tls). */
    port: z.number().int().min(1).max(65535).optional(),
    protocol: z.enum(['udp', 'tcp', 'tls']).default('tcp'),
    /** TCP/TLS framing: RFC 6587 octet counting (default) or newline-terminated. */
    framing: z.enum(['octet-counting', 'lf']).default('octet-counting'),
    facility: z.enum(SYSLOG_FACILITIES).default('local0'),
    app_name: z.string().min(1).max(48).default('o365-intake'),
    /** HOSTNAME field; default the machine's host name. */
    hostname: z.string().min(1).max(255).optional(),
    /** Largest UDP datagram; bigger messages go to the dead-letter file (a truncated JSON document is useless). */
    max_udp_bytes: z.number().int().min(480).max(65_507).default(8_192),
  })
  .strict();

const kafkaSink = z
  .object({
    type: z.literal('kafka'),
    ...networkCommon,
    brokers: z.array(z.string().min(1)).min(1),
    topic: z.string().min(1),
    client_id: z.string().min(1).default('o365-intake'),
    compression: z.enum(['none', 'gzip']).default('gzip'),
    /** Idempotent producer (brokers ≥ 0.11 with IDEMPOTENT_WRITE allowed): a retried request is never written twice. */
    idempotent: z.boolean().default(false),
    ssl: z.boolean().default(false),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string().min(1),
        password: secret,
      })
      .strict()
      .optional(),
    max_batch_events: z.number().int().positive().default(1_000),
  })
  .strict();

/** One output. Each sink type owns its variant; the `type` key selects it. */
export const sinkSchema = z.discriminatedUnion('type', [
  fileSink,
  stdoutSink,
  sekoiaSink,
  httpSink,
  elasticsearchSink,
  splunkHecSink,
  syslogSink,
  kafkaSink,
]);
export type SinkConfig = z.infer<typeof sinkSchema>;
export type BufferConfig = z.infer<typeof buffer>;
export type RetryConfig = z.infer<typeof retry>;
export type TlsConfig = z.infer<typeof tls>;
export type SekoiaSinkConfig = z.infer<typeof sekoiaSink>;
export type HttpSinkConfig = z.infer<typeof httpSink>;
export type ElasticsearchSinkConfig = z.infer<typeof elasticsearchSink>;
export type SplunkHecSinkConfig = z.infer<typeof splunkHecSink>;
export type SyslogSinkConfig = z.infer<typeof syslogSink>;
export type KafkaSinkConfig = z.infer<typeof kafkaSink>;
