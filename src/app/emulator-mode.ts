import { randomBytes } from 'node:crypto';
import { tenantSchema, type TenantConfig } from '../collector/config.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { emulatorOptionsFromConfig } from '../emulator/options-from-config.ts';
import type { EmulatorConfig } from '../emulator/config.ts';
import type { Logger } from '../observability/logger.ts';

const DEMO_TENANTS = ['contoso', 'fabrikam', 'northwind', 'tailspin', 'woodgrove', 'adatum', 'litware', 'proseware'];

/** Fixed tenant/app GUIDs per demo tenant, so the web page shows the same tenants on every start. */
function demoGuid(kind: number, index: number): string {
  return `0365${kind.toString(16).padStart(4, '0')}-0000-4000-8000-${(index + 1).toString(16).padStart(12, '0')}`;
}

function demoName(index: number): string {
  return DEMO_TENANTS[index % DEMO_TENANTS.length]! + (index >= DEMO_TENANTS.length ? `-${index}` : '');
}

export interface DemoEnvironment {
  emulator: Emulator;
  tenants: TenantConfig[];
  /** The emulator's certificate, trusted by the collector for this run only. */
  ca: string;
}

/**
 * Starts the built-in emulator with a few demo tenants (live feed, a backfill of recent history and attack
 * scenarios mixed in) and returns tenant configs pointing at it, exactly as a real tenant would be configured.
 */
export async function startDemoEnvironment(options: EmulatorConfig, logger: Logger): Promise<DemoEnvironment> {
  const specs = Array.from({ length: options.tenants }, (_, i) => ({
    name: demoName(i),
    tenantId: demoGuid(1, i),
    clientId: demoGuid(2, i),
    clientSecret: randomBytes(24).toString('base64url'),
  }));
  const emulator = await startEmulator({
    ...emulatorOptionsFromConfig(options),
    tenants: specs.map((s) => ({
      tenantId: s.tenantId,
      name: s.name,
      apps: [{ clientId: s.clientId, clientSecret: s.clientSecret }],
    })),
    logger: logger.child({ component: 'emulator' }),
  });
  const tenants = specs.map((s) =>
    tenantSchema.parse({
      name: s.name,
      tenant_id: s.tenantId,
      client_id: s.clientId,
      client_secret: s.clientSecret,
      login_url: emulator.url,
      api_url: emulator.url,
    }),
  );
  logger.info(
    { url: emulator.url, tenants: specs.map((s) => s.name) },
    'no tenant configured: collecting from the built-in emulator',
  );
  return { emulator, tenants, ca: emulator.caPem };
}
