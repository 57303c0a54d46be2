import { Command, Option } from 'commander';
import { LOG_FORMATS, type LogFormat } from '../observability/logger.ts';
import { IntakeError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { withDefaultCommand } from './default-command.ts';

// Commands are imported when run, so `normalize` does not load the whole pipeline.
const program = new Command()
  .name('o365-intake')
  .description('Collect Microsoft 365 audit logs, normalize them to ECS, detect threats and forward them')
  .version(VERSION, '-V, --version', 'print the version and exit')
  .option('-c, --config <file>', 'YAML config file (default: none — runs against the built-in emulator)')
  .addOption(
    new Option('--log-format <format>', 'log lines: pretty on a terminal, JSON otherwise').choices(LOG_FORMATS).default('auto'),
  )
  .option('--i-know', 'accept settings that only make sense in tests (a poll interval under 10s)')
  .showSuggestionAfterError();

const configPath = () => program.opts<{ config?: string }>().config;
const logFormat = () => program.opts<{ logFormat: LogFormat }>().logFormat;
const allowFastPolling = () => program.opts<{ iKnow?: boolean }>().iKnow === true;

program
  .command('run')
  .description('run the pipeline (with no tenant configured: against the built-in emulator)')
  .action(async () =>
    (await import('./run.ts')).runCommand({
      configPath: configPath(),
      logFormat: logFormat(),
      allowFastPolling: allowFastPolling(),
    }),
  );

program
  .command('emulator')
  .description('run the Management Activity API + Entra ID emulator alone, on loopback')
  .action(async () => (await import('./emulator.ts')).emulatorCommand(configPath()));

program
  .command('check-config')
  .description('validate the config file and print a summary (secrets are never printed)')
  .action(async () => (await import('./check-config.ts')).checkConfigCommand(configPath(), allowFastPolling()));

program
  .command('doctor')
  .description('check every tenant without changing anything: credentials and consent, clock, subscriptions, content')
  .action(async () => {
    process.exitCode = await (await import('./doctor.ts')).doctorCommand(configPath());
  });

program
  .command('normalize')
  .description('raw records (NDJSON or a JSON array) on stdin → one ECS document per line on stdout')
  .action(async () => {
    const { normalizeCommand } = await import('./normalize.ts');
    process.exitCode = await normalizeCommand(process.stdin, process.stdout, process.stderr);
  });

program
  .command('dead-letter')
  .description('events a destination refused for good (<data_dir>/dead-letter/<sink>.ndjson)')
  .command('replay')
  .description('send the dead-lettered events of a sink to it again; what fails again stays in the file')
  .requiredOption('--sink <name>', 'the sink, by its name (or type when unnamed)')
  .action(async (options: { sink: string }) => {
    process.exitCode = await (await import('./dead-letter.ts')).deadLetterReplayCommand(configPath(), options.sink);
  });

try {
  await program.parseAsync(withDefaultCommand(process.argv, 'run'));
} catch (err) {
  if (err instanceof IntakeError) {
    process.stderr.write(`o365-intake: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
