import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { elementSchemas, fieldSchemas, objectsOf } from './schema-walk.ts';

/** The keys an object at `path` of the document may have, according to the schema. */
export function knownKeysAt(schema: z.ZodType, doc: unknown, path: readonly PropertyKey[]): string[] {
  let schemas: z.ZodType[] = [schema];
  let value = doc;
  for (const key of path) {
    schemas = typeof key === 'number' ? elementSchemas(schemas) : fieldSchemas(schemas, String(key), value);
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
