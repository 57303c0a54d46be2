import { loadConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { startDemoEnvironment } from '../app/emulator-mode.ts';

/** `o365-intake emulator`: the Management Activity API + Entra ID emulator alone, with the demo tenants' credentials printed. */
export async function emulatorCommand(configPath: string | undefined): Promise<void> {
  const config = loadConfig(configPath);
  const logger = createLogger(process.env.LOG_LEVEL ?? config.log_level);
  const demo = await startDemoEnvironment(config.emulator, logger);
  const lines = demo.tenants.map(
    (t) =>
      `  - name: ${t.name}\n    tenant_id: ${t.tenant_id}\n    client_id: ${t.client_id}\n    client_secret: ${t.client_secret?.reveal() ?? ''}\n    login_url: ${demo.emulator.url}\n    api_url: ${demo.emulator.url}`,
  );
  process.stdout.write(
    `Emulator listening on ${demo.emulator.url}\nTenants (config snippet; these secrets are valid for this emulator run only):\ntenants:\n${lines.join('\n')}\nTLS certificate to trust:\n${demo.ca}\n`,
  );
  const stop = () => void demo.emulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
