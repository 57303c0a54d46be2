import type { Writable } from 'node:stream';
import { loadConfig } from '../config/load.ts';
import { diagnoseTenant, type TenantDiagnosis } from '../collector/doctor.ts';
import { startDemoEnvironment } from '../app/emulator-mode.ts';
import { createLogger } from '../observability/logger.ts';

export function formatDiagnosis(diagnosis: TenantDiagnosis): string {
  const width = Math.max(...diagnosis.checks.map((c) => c.name.length));
  const lines = diagnosis.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
  return `${diagnosis.tenant}: ${diagnosis.ok ? 'ready' : 'needs attention'}\n${lines.join('\n')}\n`;
}

/**
 * `o365-intake doctor`: read-only checks of every configured tenant (credentials and consent, clock, subscriptions,
 * content listed). With no tenant configured, checks the built-in emulator's demo tenants. Returns the exit code.
 */
export async function doctorCommand(configPath: string | undefined, out: Writable = process.stdout): Promise<number> {
  const config = loadConfig(configPath);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const demo =
    config.tenants.length === 0 ? await startDemoEnvironment({ ...config.emulator, events_per_minute: 0 }, logger) : undefined;
  try {
    const tenants = demo?.tenants ?? config.tenants;
    const results = await Promise.all(
      tenants.map((tenant, index) =>
        diagnoseTenant(tenant, index, config.collection, { logger, ...(demo ? { ca: demo.ca } : {}) }),
      ),
    );
    for (const result of results) out.write(formatDiagnosis(result));
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await demo?.emulator.stop();
  }
}
