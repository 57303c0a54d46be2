import { z } from 'zod';
import { duration } from '../config/duration.ts';

export const storeSchema = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * Where events and alerts are kept: `sqlite` (the file at `path`), `postgres` (the database at `postgres_url`, shared
     * by scaled-out workers), or `auto`: postgres when `state:` is a postgres:// URL, else sqlite.
     */
    backend: z.enum(['auto', 'sqlite', 'postgres']).default('auto'),
    /** The PostgreSQL database of the postgres backend; default: the `state:` URL. */
    postgres_url: z
      .string()
      .regex(/^postgres(ql)?:\/\//i, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    path: z.string().min(1).default('./data/events.db'),
    /** Events (and alerts) whose event time is older than this are deleted. */
    retention: duration.prefault('30d'),
    /** Hard cap on stored events: the oldest are deleted beyond it. */
    max_events: z.number().int().min(1000).default(5_000_000),
    /** Hard cap on the database (file, or the PostgreSQL event partitions) in MiB: the oldest events are deleted until it fits. */
    max_size_mb: z.number().int().min(1).default(4096),
    /** How often retention runs. */
    retention_interval: duration.prefault('10m'),
    /** Worker threads that run searches (each with its own read-only connection). */
    query_workers: z.number().int().min(1).max(16).default(2),
    /** Longest a search may run before it is stopped (and the page says so). */
    query_timeout: duration.prefault('30s'),
  })
  .strict()
  .prefault({});
export type StoreConfig = z.infer<typeof storeSchema>;
