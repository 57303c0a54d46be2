import { lookupField } from './field-lookup.ts';
import type { DetectableEvent, DetectionRule } from './types.ts';

/**
 * Picks the rules worth evaluating on an event: rules indexed on a field value (see prefilter.ts) only when the
 * event has that value, the others always. Rules come back in load order, so alerts keep a stable order.
 */
export class RuleIndex {
  private readonly byField = new Map<string, Map<string, number[]>>();
  private readonly always: number[] = [];

  constructor(private readonly rules: DetectionRule[]) {
    rules.forEach((rule, position) => {
      if (!rule.index) {
        this.always.push(position);
        return;
      }
      let byValue = this.byField.get(rule.index.field);
      if (!byValue) this.byField.set(rule.index.field, (byValue = new Map()));
      for (const value of rule.index.values) byValue.set(value, [...(byValue.get(value) ?? []), position]);
    });
  }

  for(event: DetectableEvent): DetectionRule[] {
    const positions = [...this.always];
    for (const [field, byValue] of this.byField) {
      for (const value of lookupField(event, field)) {
        if (typeof value !== 'string' && typeof value !== 'number') continue;
        const hits = byValue.get(String(value).toLowerCase());
        if (hits) positions.push(...hits);
      }
    }
    positions.sort((a, b) => a - b);
    const out: DetectionRule[] = [];
    for (let i = 0; i < positions.length; i++)
      if (i === 0 || positions[i] !== positions[i - 1]) out.push(this.rules[positions[i]!]!);
    return out;
  }
}
