import ms from 'ms';
import { z } from 'zod';

/** The description that marks a duration in the schema (check-config prints those values as durations). */
export const DURATION = 'duration';

/** A duration: a number of milliseconds, or a string such as "90s", "15m", "24h", "7d". Parses to milliseconds. */
export const duration = z
  .union([z.number().int().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const parsed = ms(value as ms.StringValue);
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (examples: 90s, 15m, 24h, 7d)` });
      return z.NEVER;
    }
    return parsed;
  })
  .describe(DURATION);
