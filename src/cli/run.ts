import { runPipeline } from '../app/run.ts';
import { lockDataDir } from '../app/data-dir-lock.ts';
import { applyV8MemoryFlags } from '../app/v8-memory.ts';
import { startProgressReporter } from '../app/progress-reporter.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger, resolveLogFormat, type LogFormat } from '../observability/logger.ts';
import { StatusLine } from '../observability/status-line.ts';

export interface RunOptions {
  configPath: string | undefined;
  logFormat: LogFormat;
  /** --i-know: a poll interval under 10 s is accepted (tests against the emulator). */
  allowFastPolling?: boolean;
}

/** `o365-intake run`: the pipeline until SIGINT/SIGTERM. */
export async function runCommand({ configPath, logFormat, allowFastPolling }: RunOptions): Promise<void> {
  applyV8MemoryFlags();
  const config = loadConfig(configPath, process.env, { allowFastPolling });
  // Every file and folder this process creates (store, state, spools, outputs, token) is private to its user.
  process.umask(0o077);
  const tty = process.stderr.isTTY === true;
  const format = resolveLogFormat(logFormat, tty);
  const statusLine = format === 'pretty' && tty ? new StatusLine(process.stderr) : undefined;
  const level = process.env.LOG_LEVEL ?? config.log_level;
  const logger =
    format === 'pretty'
      ? (await import('../observability/pretty-logger.ts')).createPrettyLogger(level, statusLine?.logStream)
      : createLogger(level, statusLine?.logStream);
  const unlock = await lockDataDir(config.data_dir, (err) => {
    logger.fatal({ err: err.message }, 'lost the lock on the data folder; stopping');
    process.exit(70);
  });
  const running = await runPipeline(config, logger);
  const progress = startProgressReporter({ logger, statusLine });
  if (running.webUrl) {
    const base = running.webUrl.replace(/\/$/, '');
    const token = running.generatedWebToken;
    const where = running.webTokenFile ? `the access token kept in ${running.webTokenFile}` : 'the web.auth_token of your config';
    process.stderr.write(
      token
        ? `\n  o365-intake is running. Open ${base}/?token=${token}\n  (access token: ${token}, kept in ${running.webTokenFile})\n\n`
        : `\n  o365-intake is running. Open ${base}/ and sign in with ${where}.\n\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    running
      .stop()
      .then(() => progress.stop())
      .then(() => unlock())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
