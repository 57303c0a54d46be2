import { parseFilePosition } from './file-rotation.ts';

/**
 * Orders two positions reported by the same sink (file: `<size>` or `<generation>:<size>`; spool: `<offset>`):
 * negative if `a` is earlier, positive if later, 0 if equal or not comparable. Use it to keep the
 * furthest committed position when several state stores hold one for the same sink.
 */
export function compareSinkPositions(a: string, b: string): number {
  const pa = parseFilePosition(a);
  const pb = parseFilePosition(b);
  if (!pa || !pb) return 0;
  const generation = (pa.generation ?? 0) - (pb.generation ?? 0);
  return pa.generation !== undefined && pb.generation !== undefined && generation !== 0 ? generation : pa.size - pb.size;
}
