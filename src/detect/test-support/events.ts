import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { parseRuleDocument } from '../parse-rule.ts';
import type { DetectableEvent, DetectionRule, LoadedRule } from '../types.ts';
import { parse } from 'yaml';

let counter = 0;

/** A test event; `time` defaults to a fixed instant, `id` to a fresh counter. */
export function makeEvent(ecs: EcsDocument, raw: AuditRecord = {}, extra: Partial<DetectableEvent> = {}): DetectableEvent {
  counter++;
  return { id: `t1:${counter}`, tenantId: 't1', time: Date.UTC(2024, 0, 1), ecs, raw, ...extra };
}

/** Parses one YAML rule document (detection, correlation) from a string. */
export function ruleFromYaml(text: string): LoadedRule {
  const parsed = parseRuleDocument(parse(text), 'inline.yml');
  const rule = parsed.at(-1)!;
  if (parsed.length !== 1 || rule.kind === 'filter') throw new Error('expected one rule');
  return rule;
}

/** Compiles `detection:` YAML alone into a rule. */
export function detectionRule(detectionYaml: string): DetectionRule {
  const indented = detectionYaml.replace(/^/gm, '  ');
  const rule = ruleFromYaml(`title: t\nid: r\nlogsource: {product: m365}\ndetection:\n${indented}`);
  if (rule.kind !== 'detection') throw new Error('not a detection rule');
  return rule;
}
