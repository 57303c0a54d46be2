import type { EcsDocument } from '../core/processed-event.ts';
import { get, put } from './document.ts';
import { urlFields } from './url-fields.ts';
import { parseUserAgent } from './user-agent.ts';
import { WELL_KNOWN_CLIENT_APPS } from './well-known-apps.ts';

function objectAt(doc: EcsDocument, key: string): Record<string, unknown> | undefined {
  const v = doc[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** url.original (or url.full) → url.scheme/domain/port/path/query/registered_domain/subdomain/top_level_domain. */
function deriveUrl(doc: EcsDocument): void {
  const url = objectAt(doc, 'url');
  if (url === undefined) return;
  const source = typeof url.original === 'string' ? url.original : typeof url.full === 'string' ? url.full : undefined;
  if (source === undefined) return;
  const fields = urlFields(source);
  for (const key in fields) {
    if (key === 'original' && url.original === undefined) continue;
    if (url[key] === undefined) url[key] = fields[key as keyof typeof fields];
  }
}

/** user_agent.original → user_agent.name/version/os/device (uap-core, cached). */
function deriveUserAgent(doc: EcsDocument): void {
  const ua = objectAt(doc, 'user_agent');
  if (ua === undefined || typeof ua.original !== 'string') return;
  const parsed = parseUserAgent(ua.original);
  ua.name = parsed.name;
  if (parsed.version !== undefined) ua.version = parsed.version;
  ua.os = parsed.os.version !== undefined ? { name: parsed.os.name, version: parsed.os.version } : { name: parsed.os.name };
  ua.device = { name: parsed.device.name };
}

/** office365.context.client.name from the well-known application table when only the id is known. */
function deriveClientName(doc: EcsDocument): void {
  const id = get(doc, 'office365.context.client.id');
  if (typeof id !== 'string' || get(doc, 'office365.context.client.name') !== undefined) return;
  put(doc, 'office365.context.client.name', WELL_KNOWN_CLIENT_APPS.get(id.toLowerCase()));
}

/** Values a record-type mapper already put in related.<key> (target users, hosts, other IPs), after the engine's own. */
function mergeRelated(related: Record<string, string[]>, mapped: Record<string, unknown> | undefined): void {
  if (mapped === undefined) return;
  for (const key of Object.keys(mapped)) {
    const values = mapped[key];
    if (!Array.isArray(values)) continue;
    const list = (related[key] ??= []);
    for (const v of values) if (typeof v === 'string' && !list.includes(v)) list.push(v);
  }
}

/** Engine-level fields of the reference: event.outcome, source.address, related.ip/user/hash. */
function deriveEngineFields(doc: EcsDocument): void {
  const action = objectAt(doc, 'action');
  if (action !== undefined && typeof action.outcome === 'string') put(doc, 'event.outcome', action.outcome);

  const mapped = objectAt(doc, 'related');
  const related: Record<string, string[]> = {};
  const source = objectAt(doc, 'source');
  if (source !== undefined && typeof source.ip === 'string') {
    source.address = source.ip;
    related.ip = [source.ip];
  }
  const user = objectAt(doc, 'user');
  if (user !== undefined && typeof user.name === 'string') related.user = [user.name];
  const hash = get(doc, 'file.hash');
  if (typeof hash === 'object' && hash !== null) {
    const hashes: string[] = [];
    for (const value of Object.values(hash)) if (typeof value === 'string' && !hashes.includes(value)) hashes.push(value);
    if (hashes.length > 0) related.hash = hashes.sort();
  }
  mergeRelated(related, mapped);
  if (Object.keys(related).length > 0) doc.related = related;
  else if (mapped !== undefined) delete doc.related;
}

/** Fields computed from other fields once the record-type mapper is done. */
export function deriveFields(doc: EcsDocument): void {
  deriveUrl(doc);
  deriveUserAgent(doc);
  deriveClientName(doc);
  deriveEngineFields(doc);
}
