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
    /** Most correlation groups, and most alert groups, held (least recently used evicted beyond; metric o365_intake_detect_evicted_groups_total). */
    max_groups: z.number().int().positive().default(100_000),
    /** Most matches kept per correlation group. */
    max_entries_per_group: z.number().int().positive().default(10_000),
    /**
     * How far behind its tenant's newest event a record may arrive and still correlate: windows close on the tenant's
     * watermark (newest event time minus this). Office 365 content arrives up to a day late: default 24h, at most 7d.
     */
    allowed_lateness: duration
      .prefault('24h')
      .refine((ms) => ms <= 7 * 86_400_000, { message: 'must be at most 7d (the Management API keeps 7 days)' }),
    /** Repeated alerts of one rule on one entity within this window (event time) are one alert with a count; 0 turns it off. */
    alert_grouping: duration.prefault('1h').refine((ms) => ms <= 7 * 86_400_000, { message: 'must be at most 7d' }),
  })
  .strict()
  .prefault({});
export type DetectionConfig = z.infer<typeof detectionSchema>;
