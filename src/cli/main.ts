import { Command } from 'commander';
import { IntakeError } from '../core/errors.ts';
import { checkConfigCommand } from './check-config.ts';
import { emulatorCommand } from './emulator.ts';
import { normalizeCommand } from './normalize.ts';
import { runCommand } from './run.ts';

const program = new Command()
  .name('o365-intake')
  .description('Collect Microsoft 365 audit logs, normalize them to ECS, detect threats and forward them')
  .option('-c, --config <file>', 'YAML config file (default: none — runs against the built-in emulator)');

const configPath = () => program.opts<{ config?: string }>().config;

program
  .command('run', { isDefault: true })
  .description('run the pipeline (with no tenant configured: against the built-in emulator)')
  .action(() => runCommand(configPath()));

program
  .command('emulator')
  .description('run the Management Activity API + Entra ID emulator alone, on loopback')
  .action(() => emulatorCommand(configPath()));

program
  .command('check-config')
  .description('validate the config file and print a summary (secrets are never printed)')
  .action(() => checkConfigCommand(configPath()));

program
  .command('normalize')
  .description('raw records (NDJSON or a JSON array) on stdin → one ECS document per line on stdout')
  .action(async () => {
    process.exitCode = await normalizeCommand(process.stdin, process.stdout, process.stderr);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof IntakeError) {
    process.stderr.write(`o365-intake: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
