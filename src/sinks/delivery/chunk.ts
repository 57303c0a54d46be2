/**
 * Splits items into consecutive chunks so that each chunk's `overhead + Σ(size + separator)` stays
 * within `maxBytes` and holds at most `maxItems`. An item alone over the limit still gets its own chunk
 * (callers filter oversized items first).
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: { maxBytes: number; maxItems: number; overhead?: number; separator?: number },
): T[][] {
  const overhead = limits.overhead ?? 0;
  const separator = limits.separator ?? 0;
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = overhead;
  for (const item of items) {
    const size = sizeOf(item) + (current.length > 0 ? separator : 0);
    if (current.length > 0 && (bytes + size > limits.maxBytes || current.length >= limits.maxItems)) {
      chunks.push(current);
      current = [];
      bytes = overhead;
    }
    bytes += current.length > 0 ? size : sizeOf(item);
    current.push(item);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
