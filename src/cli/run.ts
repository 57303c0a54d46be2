import { loadConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { runPipeline } from '../app/run.ts';

/** `o365-intake run`: the pipeline until SIGINT/SIGTERM. */
export async function runCommand(configPath: string | undefined): Promise<void> {
  const config = loadConfig(configPath);
  const logger = createLogger(process.env.LOG_LEVEL ?? config.log_level);
  const running = await runPipeline(config, logger);
  if (running.webUrl) {
    const base = running.webUrl.replace(/\/$/, '');
    const token = running.generatedWebToken;
    process.stderr.write(
      token
        ? `\n  o365-intake is running. Open ${base}/?token=${token}\n  (access token: ${token}, kept in ${config.data_dir}/web-token)\n\n`
        : `\n  o365-intake is running. Open ${base}/ and sign in with the web.auth_token of your config.\n\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    running.stop().then(
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
