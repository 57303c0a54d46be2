import { stringify } from 'yaml';
import { effectiveConfig } from '../config/effective-config.ts';
import { loadConfig } from '../config/load.ts';

/** `check-config`: validates, then prints the effective configuration (defaults, absolute paths; secrets masked). */
export function checkConfigCommand(path: string | undefined, allowFastPolling = false): void {
  const config = loadConfig(path, process.env, { allowFastPolling });
  const source = path ?? (process.env.O365_TENANT_ID ? '(environment)' : '(none: built-in emulator)');
  const tenants =
    config.tenants.length === 0
      ? 'none (the emulator will be used)'
      : config.tenants.map((t) => `${t.name} (${t.cloud}, ${t.content_types.length} content types)`).join(', ');
  process.stdout.write(
    `config ${source} is valid\ntenants: ${tenants}\nsinks: ${config.sinks.map((s) => s.type).join(', ')}\n\n` +
      `# effective configuration (defaults included, secrets masked)\n${stringify(effectiveConfig(config))}`,
  );
}
