import { isAbsolute, join, resolve } from 'node:path';

type Doc = Record<string, unknown>;

const isObject = (v: unknown): v is Doc => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const isPostgresUrl = (v: string) => /^postgres(ql)?:\/\//.test(v);

/**
 * Makes every file path of a config document absolute and derives every default file location from `data_dir`:
 * relative paths are read against `baseDir` (the config file's folder; the working directory when there is no file),
 * and the state, the embedded store and the default file sink live in `data_dir` unless placed elsewhere. So one
 * `data_dir` moves everything the process writes, and a config means the same whatever folder it is started from.
 */
export function resolveConfigPaths(input: unknown, baseDir: string): unknown {
  if (!isObject(input)) return input;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const doc = withFileSecretsResolved(input, at) as Doc;
  const dataDir = at(typeof doc.data_dir === 'string' ? doc.data_dir : './data');
  doc.data_dir = dataDir;
  doc.state = typeof doc.state === 'string' ? (isPostgresUrl(doc.state) ? doc.state : at(doc.state)) : join(dataDir, 'state.db');
  const store = isObject(doc.store) ? doc.store : {};
  store.path = typeof store.path === 'string' ? at(store.path) : join(dataDir, 'events.db');
  doc.store = store;
  if (doc.sinks === undefined) doc.sinks = [{ type: 'file', path: join(dataDir, 'events.ndjson') }];
  if (Array.isArray(doc.sinks)) {
    for (const sink of doc.sinks.filter(isObject)) {
      resolveKey(sink, 'path', at);
      if (isObject(sink.buffer)) resolveKey(sink.buffer, 'path', at);
      if (isObject(sink.tls)) resolveKey(sink.tls, 'ca_file', at);
    }
  }
  if (Array.isArray(doc.tenants)) {
    for (const tenant of doc.tenants.filter(isObject)) {
      resolveKey(tenant, 'ca_file', at);
      if (isObject(tenant.certificate)) resolveKey(tenant.certificate, 'certificate', at);
    }
  }
  if (isObject(doc.webhook_receiver))
    for (const key of ['tls_cert_file', 'tls_key_file']) resolveKey(doc.webhook_receiver, key, at);
  if (isObject(doc.web) && isObject(doc.web.tls)) resolveKey(doc.web.tls, 'cert', at);
  if (isObject(doc.detection) && Array.isArray(doc.detection.rules)) {
    doc.detection.rules = doc.detection.rules.map((r) => (typeof r === 'string' ? at(r) : r));
  }
  if (isObject(doc.enrichment))
    for (const step of [doc.enrichment.geoip, doc.enrichment.asn]) if (isObject(step)) resolveKey(step, 'database', at);
  if (Array.isArray(doc.eventhubs)) {
    for (const hub of doc.eventhubs.filter(isObject))
      if (isObject(hub.checkpoint_store)) resolveKey(hub.checkpoint_store, 'path', at);
  }
  return doc;
}

function resolveKey(obj: Doc, key: string, at: (p: string) => string): void {
  const value = obj[key];
  if (typeof value === 'string' && value !== '-') obj[key] = at(value);
}

/** `file:relative/secret` anywhere in the document reads the file relative to the config's folder too. */
function withFileSecretsResolved(node: unknown, at: (p: string) => string): unknown {
  if (typeof node === 'string') return node.startsWith('file:') ? `file:${at(node.slice('file:'.length))}` : node;
  if (Array.isArray(node)) return node.map((item) => withFileSecretsResolved(item, at));
  if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withFileSecretsResolved(v, at)]));
  return node;
}
