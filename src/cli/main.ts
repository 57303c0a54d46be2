import { Command } from 'commander';
import { IntakeError } from '../core/errors.ts';
import { checkConfigCommand } from './check-config.ts';

const program = new Command()
  .name('o365-intake')
  .description('Collect Microsoft 365 audit logs, normalize them to ECS, detect threats and forward them')
  .option('-c, --config <file>', 'YAML config file (default: none — runs against the built-in emulator)');

program
  .command('check-config')
  .description('validate the config file and print a summary (secrets are never printed)')
  .action(() => checkConfigCommand(program.opts<{ config?: string }>().config));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof IntakeError) {
    process.stderr.write(`o365-intake: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
