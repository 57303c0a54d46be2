import { type FieldRef, fieldRef, lookupFolded, lookupRef } from './field-lookup.ts';
import type { DetectableEvent, DetectionRule } from './types.ts';

/**
 * Picks the rules worth evaluating on an event: rules indexed on a field value (see prefilter.ts) only when the
 * event has that value, the others always. Rules come back in load order, so alerts keep a stable order.
 */
export class RuleIndex {
  private readonly fields: { ref: FieldRef; byValue: Map<string, number[]> }[] = [];
  private readonly always: number[] = [];
  private readonly alwaysRules: DetectionRule[];
  /** Per rule position, the pass that selected it last (saves a set per event). */
  private readonly marks: Uint32Array;
  private pass = 0;

  constructor(private readonly rules: DetectionRule[]) {
    const byField = new Map<string, Map<string, number[]>>();
    rules.forEach((rule, position) => {
      if (!rule.index) {
        this.always.push(position);
        return;
      }
      let byValue = byField.get(rule.index.field);
      if (!byValue) byField.set(rule.index.field, (byValue = new Map()));
      for (const value of rule.index.values) byValue.set(value, [...(byValue.get(value) ?? []), position]);
    });
    for (const [field, byValue] of byField) this.fields.push({ ref: fieldRef(field), byValue });
    this.alwaysRules = this.always.map((p) => rules[p]!);
    this.marks = new Uint32Array(rules.length);
  }

  /** The candidate rules, in load order (the array may be shared: do not modify it). */
  for(event: DetectableEvent): readonly DetectionRule[] {
    let pass = 0;
    for (const { ref, byValue } of this.fields) {
      const values = lookupRef(event, ref);
      if (values.length === 0) continue;
      const folded = lookupFolded(event, ref);
      for (let i = 0; i < values.length; i++) {
        const type = typeof values[i];
        if (type !== 'string' && type !== 'number') continue;
        const hits = byValue.get(folded[i]!);
        if (!hits) continue;
        if (pass === 0) pass = this.nextPass();
        for (const position of hits) this.marks[position] = pass;
      }
    }
    if (pass === 0) return this.alwaysRules;
    for (const position of this.always) this.marks[position] = pass;
    const out: DetectionRule[] = [];
    for (let position = 0; position < this.rules.length; position++)
      if (this.marks[position] === pass) out.push(this.rules[position]!);
    return out;
  }

  private nextPass(): number {
    if (this.pass === 0xffff_ffff) {
      this.marks.fill(0);
      this.pass = 0;
    }
    return ++this.pass;
  }
}
