import type { z } from 'zod';
import { Secret } from '../core/secret.ts';
import { DURATION } from './duration.ts';
import { configSchema, type Config } from './schema.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const isDuration = (s: z.ZodType | undefined): boolean => {
  for (let cur = s; cur; ) {
    if (cur.description === DURATION) return true;
    const d = defOf(cur);
    cur = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
  }
  return false;
};

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

/** Schemas of the field `key` of an object, through wrappers and unions. */
function fieldSchemas(schema: z.ZodType, key: string): z.ZodType[] {
  const d = defOf(schema);
  if (d.shape) return d.shape[key] ? [d.shape[key] as z.ZodType] : [];
  if (d.innerType) return fieldSchemas(d.innerType, key);
  if (d.in) return fieldSchemas(d.in, key);
  if (d.options) return d.options.flatMap((o) => fieldSchemas(o, key));
  return [];
}
function elementSchemas(schema: z.ZodType): z.ZodType[] {
  const d = defOf(schema);
  if (d.element) return [d.element];
  if (d.innerType) return elementSchemas(d.innerType);
  if (d.in) return elementSchemas(d.in);
  return [];
}

function render(value: unknown, schemas: z.ZodType[]): unknown {
  if (value instanceof Secret) return '[redacted]';
  if (typeof value === 'number' && schemas.some(isDuration)) return formatDuration(value);
  if (Array.isArray(value)) {
    const element = schemas.flatMap(elementSchemas);
    return value.map((v) => render(v, element));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        render(
          v,
          schemas.flatMap((s) => fieldSchemas(s, k)),
        ),
      ]),
    );
  }
  return value;
}

/**
 * The configuration as the process will use it (defaults filled in, paths absolute), with every secret masked and
 * durations written back as durations (`60000` → `1m`), and passwords in a PostgreSQL URL removed.
 */
export function effectiveConfig(config: Config): unknown {
  const rendered = render(config, [configSchema]) as Record<string, unknown>;
  if (typeof rendered.state === 'string')
    rendered.state = rendered.state.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:[redacted]@');
  return rendered;
}
