import type { z } from 'zod';
import { DURATION } from './duration.ts';

/** The parts of a zod 4 schema definition this walker reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object definitions that can stand at `value` (wrappers unwrapped; a union narrowed by its literal `type` when it can). */
export function objectsOf(schema: z.ZodType, value: unknown): Def[] {
  const def = defOf(schema);
  if (def.type === 'object') return [def];
  if (def.innerType) return objectsOf(def.innerType, value);
  if (def.in) return objectsOf(def.in, value);
  if (def.options) {
    const all = def.options.flatMap((option) => objectsOf(option, value));
    const tag = value && typeof value === 'object' ? (value as Record<string, unknown>).type : undefined;
    const matching = all.filter((o) => {
      const literal = o.shape?.type ? defOf(o.shape.type) : undefined;
      return literal?.type === 'literal' && literal.values?.includes(tag);
    });
    return matching.length > 0 ? matching : all;
  }
  return [];
}

/** Schemas of the field `key` of `value` (an object the schemas describe). */
export function fieldSchemas(schemas: z.ZodType[], key: string, value: unknown): z.ZodType[] {
  return schemas.flatMap((s) => objectsOf(s, value).flatMap((o) => (o.shape?.[key] ? [o.shape[key] as z.ZodType] : [])));
}

/** Schemas of the elements of an array the schemas describe. */
export function elementSchemas(schemas: z.ZodType[]): z.ZodType[] {
  return schemas.flatMap((s) => {
    let d = defOf(s);
    while (!d.element && (d.innerType || d.in)) d = defOf((d.innerType ?? d.in) as z.ZodType);
    return d.element ? [d.element] : [];
  });
}

/** True for the `duration` schema (src/config/duration.ts), through optional/default wrappers and refinements. */
export function isDuration(schema: z.ZodType): boolean {
  for (let cur: z.ZodType | undefined = schema; cur; ) {
    if (cur.description === DURATION) return true;
    const d = defOf(cur);
    cur = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
  }
  return false;
}

/** Calls `visit` with every value of the document, its path and the schemas that describe it. */
export function walkDocument(
  schema: z.ZodType,
  doc: unknown,
  visit: (value: unknown, path: (string | number)[], schemas: z.ZodType[]) => void,
): void {
  const step = (value: unknown, path: (string | number)[], schemas: z.ZodType[]) => {
    visit(value, path, schemas);
    if (Array.isArray(value)) {
      const element = elementSchemas(schemas);
      for (const [i, v] of value.entries()) step(v, [...path, i], element);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) step(v, [...path, k], fieldSchemas(schemas, k, value));
    }
  };
  step(doc, [], [schema]);
}
