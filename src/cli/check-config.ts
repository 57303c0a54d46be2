import { loadConfig } from '../config/load.ts';

export function checkConfigCommand(path: string | undefined): void {
  const config = loadConfig(path);
  const lines = [
    `config ${path ?? '(none: built-in emulator)'} is valid`,
    `tenants: ${config.tenants.length === 0 ? 'none (the emulator will be used)' : config.tenants.map((t) => `${t.name} (${t.cloud}, ${t.content_types.length} content types)`).join(', ')}`,
    `sinks: ${config.sinks.map((s) => s.type).join(', ')}`,
    `output format: ${config.output.format}`,
    `state: ${config.state.startsWith('postgres') ? 'postgres' : config.state}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
