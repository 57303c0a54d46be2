import { DetectionSyntaxError } from './errors.ts';

/**
 * Sigma v1 rule collections: the documents of one file read in order, where `action: global` sets attributes merged
 * into every following document, `action: reset` drops them, and `action: repeat` repeats the previous rule with the
 * attributes it changes (older SigmaHQ revisions ship rules this way). Maps merge key by key, anything else is replaced.
 */
export class RuleCollection {
  private global: Record<string, unknown> | undefined;
  private previous: Record<string, unknown> | undefined;

  /** The rule document `value` stands for, or `undefined` for a `global` / `reset` document (nothing to parse). */
  resolve(value: unknown): unknown {
    if (!isMap(value)) return value;
    const { action, ...attributes } = value;
    if (action === 'global') {
      this.global = attributes;
      return undefined;
    }
    if (action === 'reset') {
      this.global = undefined;
      return undefined;
    }
    let resolved: Record<string, unknown>;
    if (action === 'repeat') {
      if (!this.previous) throw new DetectionSyntaxError('"action: repeat" has no rule before it to repeat');
      resolved = merge(this.previous, attributes);
    } else resolved = this.global ? merge(this.global, value) : value;
    this.previous = resolved;
    return resolved;
  }
}

/** A copy of `base` with `over` merged into it (nested maps merged, other values replaced); the inputs are untouched. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? merge(current, value) : structuredClone(value);
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
