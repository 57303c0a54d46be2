import { resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { replayDeadLetters } from '../sinks/dead-letter-replay.ts';

/** `o365-intake dead-letter replay --sink NAME`: exit 0 when nothing is left to send, 1 when some events were kept. */
export async function deadLetterReplayCommand(configPath: string | undefined, sink: string): Promise<number> {
  const config = loadConfig(configPath);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const result = await replayDeadLetters(config.sinks, sink, { dataDir: resolve(config.data_dir), logger });
  process.stdout.write(
    `sink ${sink}: ${result.read} event(s) replayed: ${result.delivered} delivered, ${result.refusedAgain} refused again, ` +
      `${result.kept} kept in the dead-letter file\n`,
  );
  return result.kept > 0 ? 1 : 0;
}
