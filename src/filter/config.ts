import { z } from 'zod';

const value = z.union([z.string(), z.number(), z.boolean()]);

/**
 * One matcher: raw record field → value or list of values (any of them). Every field must match (AND).
 * Strings compare case-insensitively and may use `*` as a wildcard. `tenants` limits it to tenant names or ids.
 */
const matcher = z
  .object({ tenants: z.array(z.string().min(1)).min(1).optional() })
  .catchall(z.union([value, z.array(value).min(1)]))
  .refine((m) => Object.keys(m).some((k) => k !== 'tenants'), {
    message: 'name at least one record field to match (e.g. Workload, Operation, RecordType)',
  });

/** Which records go through the pipeline at all (before normalization, storage and sinks). */
export const filtersSchema = z
  .object({
    /** Records matching any of these are dropped (counted, never stored or forwarded). */
    exclude: z.array(matcher).default([]),
    /** When set, only records matching one of these are kept. */
    include: z.array(matcher).default([]),
  })
  .strict()
  .prefault({});

export type FiltersConfig = z.infer<typeof filtersSchema>;
export type RecordMatcherConfig = FiltersConfig['exclude'][number];
