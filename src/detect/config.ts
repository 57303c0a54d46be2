import { z } from 'zod';
import { duration } from '../config/duration.ts';

export const detectionSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Extra rule files or folders (Sigma rules, correlations, filters), on top of the bundled rule set. */
    rules: z.array(z.string()).default([]),
    bundled_rules: z.boolean().default(true),
    /** Rule ids (or names) not to run, e.g. noisy bundled rules. */
    disabled_rules: z.array(z.string()).default([]),
    /** Most correlation groups held in memory (least recently used dropped beyond). */
    max_groups: z.number().int().positive().default(100_000),
    /** Most matches kept per correlation group. */
    max_entries_per_group: z.number().int().positive().default(10_000),
    /** How long correlation state waits for late records after its window. */
    allowed_lateness: duration.prefault('2h'),
  })
  .strict()
  .prefault({});
export type DetectionConfig = z.infer<typeof detectionSchema>;
