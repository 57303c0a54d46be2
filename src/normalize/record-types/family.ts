import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { parseClientIp } from '../client-ip.ts';
import { get, put } from '../document.ts';
import { LruCache } from '../lru-cache.ts';
import type { RecordMapper } from '../record-mapper.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  ownValue,
  setOwn,
  stripAngleBrackets,
  tryParseJson,
} from '../values.ts';

/**
 * Shared machinery of the data-driven record-type families: a family names the RecordTypes it covers, the ECS
 * categorisation of its records and a table "record field → document field"; bespoke logic is the exception.
 */

/** A group of RecordTypes that share one mapping (e.g. every Copilot admin record). */
export interface RecordTypeFamily {
  /** What the family covers, as listed in the README. */
  title: string;
  /** RecordType → member name of Microsoft's AuditLogRecordType enum. */
  recordTypes: Readonly<Record<number, string>>;
  map: RecordMapper;
}

/**
 * How one record field is converted before it is written:
 * `text` string, `number`, `boolean`, `date` (ISO 8601 UTC), `ip` (address only), `texts` (a string or a list of
 * strings → list), `json` (a JSON-encoded string or an object → object), `message_id` (without <>), `changes`
 * (ModifiedProperties → [{name, old_value, new_value}]), `pairs` ([{Name, Value}] → {Name: Value}), `raw` (as is).
 */
type Conversion = 'text' | 'number' | 'boolean' | 'date' | 'ip' | 'texts' | 'json' | 'message_id' | 'changes' | 'pairs' | 'raw';

/**
 * "document.path" (conversion `raw`) or "document.path:conversion"; a leading "?" writes only when the document
 * has no value there yet ("?source.ip:ip": the sender address when ClientIP gave none).
 */
type FieldTarget = string;

export interface FamilySpec {
  /** event.category of every record of the family. */
  category: readonly string[];
  /** event.type; by default derived from the verb in Operation (see eventTypeOf). */
  type?: readonly string[];
  /** `alert` for detections; events are the default and not written. */
  kind?: 'alert';
  /** Record field (dotted path into the record) → where it goes in the document. */
  fields: Readonly<Record<string, FieldTarget>>;
  /** Logic a table cannot express, run after the table. */
  extra?: RecordMapper;
}

const CONVERSIONS = new Set<string>([
  'text',
  'number',
  'boolean',
  'date',
  'ip',
  'texts',
  'json',
  'message_id',
  'changes',
  'pairs',
  'raw',
]);

interface CompiledField {
  source: readonly string[];
  target: string;
  conversion: Conversion;
  ifAbsent: boolean;
}

function compileFields(fields: Readonly<Record<string, FieldTarget>>): CompiledField[] {
  const out: CompiledField[] = [];
  for (const source in fields) {
    const spec = fields[source] as string;
    const colon = spec.lastIndexOf(':');
    const conversion = colon >= 0 ? spec.slice(colon + 1) : 'raw';
    if (!CONVERSIONS.has(conversion)) throw new Error(`record-type family field ${source}: unknown conversion "${conversion}"`);
    const ifAbsent = spec.startsWith('?');
    const target = spec.slice(ifAbsent ? 1 : 0, colon >= 0 ? colon : spec.length);
    out.push({ source: source.split('.'), target, conversion: conversion as Conversion, ifAbsent });
  }
  return out;
}

/** The value at a dotted path of the record (own properties of plain objects only). */
export function readPath(record: AuditRecord, path: readonly string[]): unknown {
  let node: unknown = record;
  for (const key of path) {
    const object = asObject(node);
    if (object === undefined || !Object.hasOwn(object, key)) return undefined;
    node = object[key];
  }
  return node;
}

/** A string or a list of strings → the non-empty strings, as a list. */
export function textList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  const out: string[] = [];
  for (const item of asArray(value)) if (typeof item === 'string' && item !== '') out.push(item);
  return out;
}

function convert(value: unknown, conversion: Conversion): unknown {
  switch (conversion) {
    case 'text':
      return asString(value);
    case 'number':
      return asNumber(value);
    case 'boolean':
      return asBoolean(value);
    case 'date':
      return normalizeTimestamp(value);
    case 'ip':
      return parseClientIp(value)?.ip;
    case 'texts':
      return textList(value);
    case 'json':
      return asObject(value) ?? asObject(tryParseJson(value)) ?? asArray(tryParseJson(value));
    case 'message_id':
      return stripAngleBrackets(value);
    case 'changes':
      return modifiedProperties(value);
    case 'pairs':
      return nameValueObject(value);
    case 'raw':
      return value;
  }
}

// ECS: the event.type values each category allows (first category of the record decides).
const ALLOWED_TYPES: Readonly<Record<string, readonly string[]>> = {
  configuration: ['access', 'change', 'creation', 'deletion', 'info'],
  file: ['access', 'change', 'creation', 'deletion', 'info'],
  iam: ['admin', 'change', 'creation', 'deletion', 'group', 'info', 'user'],
  database: ['access', 'change', 'info'],
  web: ['access', 'info'],
  email: ['info'],
};

const VERBS: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    'deletion',
    [
      'delete',
      'deleted',
      'deletion',
      'remove',
      'removed',
      'purge',
      'purged',
      'uninstall',
      'uninstalled',
      'harddelete',
      'softdelete',
    ],
  ],
  [
    'creation',
    [
      'create',
      'created',
      'creation',
      'add',
      'added',
      'new',
      'register',
      'registered',
      'install',
      'installed',
      'upload',
      'uploaded',
      'copy',
    ],
  ],
  [
    'change',
    [
      'update',
      'updated',
      'set',
      'edit',
      'edited',
      'modify',
      'modified',
      'change',
      'changed',
      'rename',
      'renamed',
      'enable',
      'enabled',
      'disable',
      'disabled',
      'apply',
      'applied',
      'assign',
      'assigned',
      'unassigned',
      'move',
      'moved',
      'restore',
      'restored',
      'grant',
      'granted',
      'revoke',
      'revoked',
      'publish',
      'published',
      'archive',
      'archived',
      'release',
      'upgrade',
      'downgrade',
      'downgraded',
      'upgraded',
      'turnon',
      'turnoff',
    ],
  ],
  [
    'access',
    [
      'view',
      'viewed',
      'read',
      'get',
      'accessed',
      'download',
      'downloaded',
      'export',
      'exported',
      'search',
      'searched',
      'open',
      'opened',
      'preview',
      'previewed',
      'run',
      'launch',
      'query',
    ],
  ],
];

/** Operations are short names; longer text is not worth splitting into words (and stays `info`). */
const MAX_OPERATION_LENGTH = 200;
/** Operations are few per tenant: "category\0operation" → event.type. */
const typeCache = new LruCache<string, string>(4096);

/** Lower-cased words of an operation: "New-ComplianceSearch" → new, compliancesearch; "FileUploaded" → file, uploaded. */
function words(operation: string): string[] {
  return operation
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * event.type from the verb of the operation ("PlanDeleted" → deletion, "Set-Mailbox" → change, "SearchExported"
 * → access), restricted to the types ECS allows for the category; `info` when no verb is recognised.
 */
export function eventTypeOf(operation: unknown, category: string | undefined): string[] {
  const allowed = category !== undefined ? ownValue(ALLOWED_TYPES, category) : undefined;
  if (typeof operation !== 'string' || allowed === undefined || operation.length > MAX_OPERATION_LENGTH) return ['info'];
  const key = `${category}\u0000${operation}`;
  let type = typeCache.get(key);
  if (type === undefined) {
    type = 'info';
    const opWords = words(operation);
    for (const [candidate, verbs] of VERBS) {
      if (allowed.includes(candidate) && opWords.some((w) => verbs.includes(w))) {
        type = candidate;
        break;
      }
    }
    typeCache.set(key, type);
  }
  return [type];
}

/** Appends values to related.user / related.hosts / related.ip (the engine adds source.ip and user.name later). */
export function addRelated(doc: EcsDocument, key: 'user' | 'hosts' | 'ip', values: readonly unknown[]): void {
  const existing = get(doc, `related.${key}`);
  const list: string[] = Array.isArray(existing) ? existing : [];
  for (const value of values) if (typeof value === 'string' && value !== '' && !list.includes(value)) list.push(value);
  if (list !== existing) put(doc, `related.${key}`, list);
}

/** ModifiedProperties [{Name, OldValue, NewValue}] → [{name, old_value, new_value}] without the empty parts. */
export function modifiedProperties(value: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const item of asArray(value)) {
    const entry = asObject(item);
    const name = asString(entry?.Name);
    if (entry === undefined || name === undefined) continue;
    const change: Record<string, unknown> = { name };
    const oldValue = asString(entry.OldValue);
    const newValue = asString(entry.NewValue);
    if (oldValue !== undefined && oldValue !== '') change.old_value = oldValue;
    if (newValue !== undefined && newValue !== '') change.new_value = newValue;
    out.push(change);
  }
  return out;
}

/** [{Name, Value}] → {Name: Value} (first wins; "__proto__" stays an ordinary key); undefined when empty. */
export function nameValueObject(value: unknown): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const item of asArray(value)) {
    const entry = asObject(item);
    const name = asString(entry?.Name);
    const v = entry?.Value;
    if (name === undefined || v === undefined || v === null || v === '') continue;
    out ??= {};
    if (!Object.hasOwn(out, name)) setOwn(out, name, v);
  }
  return out;
}

/** Builds the mapper of a family from its spec (the field table is compiled once). */
export function familyMapper(spec: FamilySpec): RecordMapper {
  const fields = compileFields(spec.fields);
  const category = [...spec.category];
  return (record, doc) => {
    if (spec.kind !== undefined) put(doc, 'event.kind', spec.kind);
    put(doc, 'event.category', [...category]);
    put(doc, 'event.type', spec.type !== undefined ? [...spec.type] : eventTypeOf(record.Operation, category[0]));
    for (const field of fields) {
      if (field.ifAbsent && get(doc, field.target) !== undefined) continue;
      put(doc, field.target, convert(readPath(record, field.source), field.conversion));
    }
    spec.extra?.(record, doc);
  };
}

/** A family whose records all share one spec. */
export function family(title: string, recordTypes: Readonly<Record<number, string>>, spec: FamilySpec): RecordTypeFamily {
  return { title, recordTypes, map: familyMapper(spec) };
}
