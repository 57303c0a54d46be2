import { apiErrors, type ApiError } from './api-error.ts';
import { parseApiTime } from './time-format.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ContentWindow {
  start: number;
  end: number;
  /** Values to put in NextPageUri (the caller's own text when given). */
  startText: string;
  endText: string;
}

/**
 * Validates startTime/endTime of /subscriptions/content: both or neither (neither = the last 24 h),
 * at most 24 h apart, start before end, start no earlier than now − 7 days − grace. End may be in the future.
 */
export function resolveContentWindow(
  startRaw: string | undefined,
  endRaw: string | undefined,
  now: number,
  graceMs: number,
): ContentWindow | ApiError {
  if (startRaw === undefined && endRaw === undefined) {
    return {
      start: now - DAY_MS,
      end: now,
      startText: new Date(now - DAY_MS).toISOString(),
      endText: new Date(now).toISOString(),
    };
  }
  if (startRaw === undefined || endRaw === undefined) return apiErrors.badWindow(startRaw ?? '', endRaw ?? '');
  const start = parseApiTime(startRaw);
  if (start === undefined) return apiErrors.badParameterType('startTime', 'DateTime');
  const end = parseApiTime(endRaw);
  if (end === undefined) return apiErrors.badParameterType('endTime', 'DateTime');
  if (start >= end || end - start > DAY_MS || start < now - 7 * DAY_MS - graceMs) return apiErrors.badWindow(startRaw, endRaw);
  return { start, end, startText: startRaw, endText: endRaw };
}

/** Opaque page token in the style of the docs' `2015101900R022885001761`: start hour + R + offset. */
export function encodeNextPage(window: ContentWindow, offset: number): string {
  const hour = new Date(window.start).toISOString().slice(0, 13).replace(/[-T]/g, '');
  return `${hour}R${String(offset).padStart(12, '0')}`;
}

/** Offset encoded in a page token, or undefined when the token is not one of ours for this window. */
export function decodeNextPage(token: string, window: ContentWindow, total: number): number | undefined {
  const m = /^(\d{10})R(\d{12})$/.exec(token);
  if (!m) return undefined;
  const offset = Number(m[2]);
  if (m[1] !== encodeNextPage(window, 0).slice(0, 10) || offset > total) return undefined;
  return offset;
}
