/**
 * Configuration from the environment alone, for the common case (the four fields of Sekoia.io's own connector):
 * `O365_TENANT_ID`, `O365_CLIENT_ID`, `O365_CLIENT_SECRET` (or `O365_CLIENT_SECRET_FILE`) and, to forward to Sekoia.io,
 * `SEKOIA_INTAKE_KEY` (with `SEKOIA_REGION` or `SEKOIA_INTAKE_URL`). `O365_TENANT_ID` may list several tenants,
 * comma-separated, that share one multi-tenant app registration. Optional: `O365_TENANT_NAME` (one tenant),
 * `O365_CLOUD`, and `O365_DATA_DIR`, `O365_WEB_HOST`, `O365_WEB_PORT` (these three apply in emulator mode too).
 *
 * The result is a raw config document; secrets stay `${VAR}` references that the loader expands, so their values
 * never sit in a plain object.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const tenantIds = (env.O365_TENANT_ID ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const dataDir = env.O365_DATA_DIR ?? './data';
  const web: Record<string, unknown> = {};
  if (env.O365_WEB_HOST) web.host = env.O365_WEB_HOST;
  if (env.O365_WEB_PORT) web.port = Number(env.O365_WEB_PORT);
  const placement: Record<string, unknown> = { data_dir: dataDir, ...(Object.keys(web).length > 0 ? { web } : {}) };
  // No tenant: the emulator mode, still placed where the environment says (e.g. /data in the container).
  if (tenantIds.length === 0) return env.O365_DATA_DIR || Object.keys(web).length > 0 ? placement : undefined;
  const single = tenantIds.length === 1;
  const app: Record<string, unknown> = {
    client_id: '${O365_CLIENT_ID}',
    client_secret: env.O365_CLIENT_SECRET_FILE ? 'file:${O365_CLIENT_SECRET_FILE}' : '${O365_CLIENT_SECRET}',
  };
  const tenants = tenantIds.map((tenant_id, i) => ({
    name: single && env.O365_TENANT_NAME ? env.O365_TENANT_NAME : `tenant-${single ? tenant_id.slice(0, 8) : i + 1}`,
    tenant_id,
    ...(env.O365_CLOUD ? { cloud: env.O365_CLOUD } : {}),
  }));
  return {
    ...placement,
    app,
    tenants,
    sinks: [
      env.SEKOIA_INTAKE_KEY
        ? {
            type: 'sekoia',
            intake_key: '${SEKOIA_INTAKE_KEY}',
            ...(env.SEKOIA_REGION ? { region: env.SEKOIA_REGION } : {}),
            ...(env.SEKOIA_INTAKE_URL ? { intake_url: env.SEKOIA_INTAKE_URL } : {}),
          }
        : { type: 'file', path: `${dataDir}/events.ndjson` },
    ],
  };
}
