/**
 * Bounds on the shape of a record, checked without recursion. Management Activity API records nest a handful of
 * levels; anything deeper than MAX_DEPTH is hostile or corrupt, and would overflow the stack of every recursive
 * consumer downstream (JSON.stringify in the sinks and the store, structuredClone, the detection engine).
 */
export const MAX_DEPTH = 100;

/**
 * Where `value` nests deeper than `maxDepth` objects/arrays — the top-level key under which it does, or "(root)" —
 * or undefined when it does not. Visits each node once (linear), with an explicit stack.
 */
export function tooDeepUnder(value: unknown, maxDepth = MAX_DEPTH): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  const tops: string[] = ['(root)'];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    const top = tops.pop() as string;
    if (depth > maxDepth) return top;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (typeof child !== 'object' || child === null) continue;
        nodes.push(child);
        depths.push(depth + 1);
        tops.push(top);
      }
      continue;
    }
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) continue;
      nodes.push(child);
      depths.push(depth + 1);
      tops.push(depth === 1 ? key : top);
    }
  }
  return undefined;
}

interface Frame {
  node: object;
  keys: string[] | undefined;
  index: number;
  wrote: boolean;
}

/**
 * JSON text of a parsed JSON value of any depth (JSON.stringify recurses and throws on deep values), so that a
 * record rejected for its depth is still kept whole in the dead-letter output. Same output as JSON.stringify for
 * the values JSON.parse produces.
 */
export function jsonTextOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = (node: object): void => {
    const isArray = Array.isArray(node);
    out.push(isArray ? '[' : '{');
    stack.push({ node, keys: isArray ? undefined : Object.keys(node), index: 0, wrote: false });
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const length = frame.keys === undefined ? (frame.node as unknown[]).length : frame.keys.length;
    if (frame.index >= length) {
      out.push(frame.keys === undefined ? ']' : '}');
      stack.pop();
      continue;
    }
    const i = frame.index++;
    const key = frame.keys?.[i];
    const child = key === undefined ? (frame.node as unknown[])[i] : (frame.node as Record<string, unknown>)[key];
    if (key !== undefined && (child === undefined || typeof child === 'function' || typeof child === 'symbol')) continue;
    if (frame.wrote) out.push(',');
    frame.wrote = true;
    if (key !== undefined) out.push(`${JSON.stringify(key)}:`);
    if (typeof child === 'object' && child !== null) open(child);
    else out.push(JSON.stringify(child) ?? 'null');
  }
  return out.join('');
}
