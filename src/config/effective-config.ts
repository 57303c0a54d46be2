import type { z } from 'zod';
import { Secret } from '../core/secret.ts';
import { elementSchemas, fieldSchemas, isDuration } from './schema-walk.ts';
import { configSchema, type Config } from './schema.ts';

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** 90000 → `90s`, 86400000 → `1d`: the largest unit that divides the value exactly (never rounded). */
export function formatDuration(value: number): string {
  for (const [unit, size] of UNITS) if (value !== 0 && value % size === 0) return `${value / size}${unit}`;
  return `${value}ms`;
}

function render(value: unknown, schemas: z.ZodType[]): unknown {
  if (value instanceof Secret) return '[redacted]';
  if (typeof value === 'number' && schemas.some(isDuration)) return formatDuration(value);
  if (Array.isArray(value)) {
    const element = elementSchemas(schemas);
    return value.map((v) => render(v, element));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, fieldSchemas(schemas, k, value))]));
  }
  return value;
}

/**
 * The configuration as the process will use it (defaults filled in, paths absolute), with every secret masked and
 * durations written back as durations (`60000` → `1m`), and passwords in a PostgreSQL URL removed.
 */
export function effectiveConfig(config: Config): unknown {
  const rendered = render(config, [configSchema]) as Record<string, unknown>;
  const withoutPassword = (url: string) => url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:[redacted]@');
  if (typeof rendered.state === 'string') rendered.state = withoutPassword(rendered.state);
  const store = rendered.store as { postgres_url?: unknown } | undefined;
  if (typeof store?.postgres_url === 'string') store.postgres_url = withoutPassword(store.postgres_url);
  return rendered;
}
