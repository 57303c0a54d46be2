import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

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

/** The object schemas that can stand at `value` (wrappers unwrapped; a union narrowed by its literal `type` when it can). */
function objectsOf(schema: z.ZodType, value: unknown): Def[] {
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

/** The keys an object at `path` of the document may have, according to the schema. */
export function knownKeysAt(schema: z.ZodType, doc: unknown, path: readonly PropertyKey[]): string[] {
  let schemas: z.ZodType[] = [schema];
  let value = doc;
  for (const key of path) {
    const next: z.ZodType[] = [];
    for (const s of schemas) {
      if (typeof key === 'number') {
        let d = defOf(s);
        while (!d.element && (d.innerType || d.in)) d = defOf((d.innerType ?? d.in) as z.ZodType);
        if (d.element) next.push(d.element);
      } else {
        for (const o of objectsOf(s, value)) if (o.shape?.[String(key)]) next.push(o.shape[String(key)] as z.ZodType);
      }
    }
    schemas = next;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as string] : undefined;
  }
  return [...new Set(schemas.flatMap((s) => objectsOf(s, value).flatMap((o) => Object.keys(o.shape ?? {}))))];
}

/** `did you mean "poll_interval"?` when a known key is close enough to the unknown one, else the empty string. */
export function didYouMean(unknown: string, known: string[]): string {
  if (known.length === 0) return '';
  const best = closest(unknown, known);
  return distance(unknown, best) <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean "${best}"?)` : '';
}
