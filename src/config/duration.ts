import ms from 'ms';
import { z } from 'zod';

/** The description that marks a duration in the schema (check-config prints those values as durations). */
export const DURATION = 'duration';

/** One number and one unit, nothing else: `500ms`, `90s`, `15m`, `24h`, `7d`, `2w`. */
const DURATION_TEXT = /^\d+(\.\d+)?(ms|s|m|h|d|w)$/;
export const DURATION_FORMS = 'a number and a unit: 500ms, 90s, 15m, 24h, 7d or 2w';

/**
 * A duration written with its unit (`90s`, `15m`, `24h`, `7d`), parsed to milliseconds. In a config file a bare number
 * is refused (see unitlessDurations); code may pass a number of milliseconds.
 */
export const duration = z
  .union([z.number().int().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const parsed = DURATION_TEXT.test(value.trim()) ? ms(value.trim() as ms.StringValue) : undefined;
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write ${DURATION_FORMS}` });
      return z.NEVER;
    }
    return Math.round(parsed);
  })
  .describe(DURATION);
