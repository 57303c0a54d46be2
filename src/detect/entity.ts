import type { AlertEntity } from '../core/alert.ts';
import { type FieldRef, fieldRef, lookupRef } from './field-lookup.ts';
import type { DetectableEvent, RuleMeta } from './types.ts';

/** Entity kinds recognised from a field name, most specific first. */
const KINDS: [RegExp, AlertEntity['kind']][] = [
  [/(^|\.)(ip|client_?ip|ip_?address|actor_?ip_?address|address)$/i, 'ip'],
  [/mailbox/i, 'mailbox'],
  [/(^|\.)(app|application|app_?id|application_?id|client_?id|client_?app_?id)(\.|$)|oauth|service_?principal/i, 'app'],
  [/host|device|computer|workstation/i, 'host'],
  [/user|upn|account|e-?mail|principal|actor|sender|recipient/i, 'user'],
];

/** Where the entity of a single-event rule is looked for when the rule's `fields` name none. */
const DEFAULT_FIELDS = ['user.email', 'user.name', 'user.id', 'UserId', 'source.ip', 'ClientIP'];

/** Field name → entity kind: rules use few distinct fields, each is classified once. */
const kinds = new Map<string, AlertEntity['kind']>();

/** What kind of entity a field holds (the field name itself when unknown). */
export function entityKind(field: string): AlertEntity['kind'] {
  let kind = kinds.get(field);
  if (kind === undefined) {
    const bare = field.replace(/^(raw|ecs)\./, '');
    kind = KINDS.find(([pattern]) => pattern.test(bare))?.[1] ?? bare;
    kinds.set(field, kind);
  }
  return kind;
}

/** An e-mail address or UPN: a local part without spaces, slashes or colons, `@`, a domain name. */
const ADDRESS = /^[^@\s/:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/** User names, e-mail addresses and UPNs compare case-insensitively (`Alice@Contoso.com` is `alice@contoso.com`). */
export function isCaseInsensitive(field: string, value: string): boolean {
  const kind = entityKind(field);
  return kind === 'user' || kind === 'mailbox' || (value.includes('@') && ADDRESS.test(value));
}

export function normalizeValue(field: string, value: string): string {
  return isCaseInsensitive(field, value) ? value.toLowerCase() : value;
}

/** A correlation's entity: its first group-by field of a known kind, else its first group-by field. */
export function entityOfGroup(groupBy: Record<string, string> | undefined): AlertEntity | undefined {
  const fields = Object.keys(groupBy ?? {});
  if (!groupBy || fields.length === 0) return undefined;
  const field = fields.find((f) => entityKind(f) !== f.replace(/^(raw|ecs)\./, '')) ?? fields[0]!;
  return { kind: entityKind(field), value: groupBy[field]! };
}

/** A single-event rule's entity: the first of the rule's `fields` (else the usual user and address fields) with a value. */
export function entityOfEvent(rule: RuleMeta, event: DetectableEvent): AlertEntity | undefined {
  let candidates = entityFields.get(rule);
  if (!candidates) {
    candidates = [...(rule.fields ?? []).filter((f) => entityKind(f) !== f), ...DEFAULT_FIELDS].map(fieldRef);
    entityFields.set(rule, candidates);
  }
  for (const ref of candidates) {
    const value = lookupRef(event, ref).find((v) => typeof v === 'string' && v !== '');
    if (typeof value === 'string') return { kind: entityKind(ref.path), value: normalizeValue(ref.path, value) };
  }
  return undefined;
}

/** Per rule, the fields its entity is looked for in. */
const entityFields = new WeakMap<RuleMeta, FieldRef[]>();
