import type { ProcessedEvent } from '../core/processed-event.ts';

/** The searchable columns of one event, taken from its ECS document with the raw record as fallback. */
export interface IndexedFields {
  user: string | null;
  sourceIp: string | null;
  action: string | null;
  workload: string | null;
  outcome: string | null;
  /** ECS event.category values, space-separated. */
  category: string | null;
  /** ECS source.geo.country_iso_code. */
  country: string | null;
}

const splitPaths = new Map<string, string[]>();

/** Reads a dotted path (`source.ip`) from a nested object. */
export function readPath(doc: unknown, path: string): unknown {
  let keys = splitPaths.get(path);
  if (!keys) {
    keys = path.split('.');
    // Bounded: the paths read are the store's own and those of queries.
    if (splitPaths.size < 10_000) splitPaths.set(path, keys);
  }
  let node: unknown = doc;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Every scalar value at a dotted path, walking arrays at any depth (`email.attachments.file.name` over each attachment). */
export function valuesAt(doc: unknown, path: string): unknown[] {
  let nodes: unknown[] = [doc];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (Array.isArray(node)) {
        for (const item of node)
          if (item && typeof item === 'object' && !Array.isArray(item)) next.push((item as Record<string, unknown>)[key]);
      } else if (node && typeof node === 'object') next.push((node as Record<string, unknown>)[key]);
    }
    nodes = next.filter((n) => n !== undefined && n !== null);
    if (nodes.length === 0) return [];
  }
  return nodes.flatMap(function flat(n: unknown): unknown[] {
    return Array.isArray(n) ? n.flatMap(flat) : [n];
  });
}

function firstString(...values: unknown[]): string | null {
  for (const value of values) {
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}

function listOf(value: unknown): string | null {
  const items = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
  return items.length > 0 ? items.join(' ') : null;
}

const SUCCESS_STATUSES = new Set(['succeeded', 'success', 'partiallysucceeded', 'true']);
const FAILURE_STATUSES = new Set(['failed', 'failure', 'false']);

function outcomeOfStatus(status: unknown): string | null {
  if (typeof status !== 'string') return null;
  const lower = status.toLowerCase();
  if (SUCCESS_STATUSES.has(lower)) return 'success';
  if (FAILURE_STATUSES.has(lower)) return 'failure';
  return null;
}

/** Strips the port and brackets O365 sometimes appends (`1.2.3.4:5678`, `[::1]:443`). */
function cleanIp(value: string | null): string | null {
  if (!value) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4WithPort?.[1] ?? value;
}

export function indexedFields(event: ProcessedEvent): IndexedFields {
  const { ecs, raw } = event;
  return {
    user: firstString(readPath(ecs, 'user.email'), readPath(ecs, 'user.name'), readPath(ecs, 'user.id'), raw.UserId, raw.UserKey),
    sourceIp: cleanIp(
      firstString(readPath(ecs, 'source.ip'), readPath(ecs, 'client.ip'), raw.ClientIP, raw.ActorIpAddress, raw.ClientIPAddress),
    ),
    action: firstString(readPath(ecs, 'event.action'), raw.Operation),
    workload: firstString(readPath(ecs, 'service.name'), raw.Workload),
    outcome: firstString(readPath(ecs, 'event.outcome')) ?? outcomeOfStatus(raw.ResultStatus),
    category: listOf(readPath(ecs, 'event.category')),
    country: firstString(readPath(ecs, 'source.geo.country_iso_code')),
  };
}
