import type { Logger } from 'pino';
import { pino } from 'pino';
import pinoPretty from 'pino-pretty';
import { loggerOptions, scrubbing } from './logger.ts';

/**
 * Human-readable log lines (`--log-format pretty`, or `auto` on a terminal), one a line, colored on a terminal, with the
 * same redaction and scrubbing as JSON logs. In its own module so a collector logging JSON never loads pino-pretty.
 */
export function createPrettyLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const colorize = destination === undefined && process.stderr.isTTY === true;
  const stream = pinoPretty({
    destination: destination ?? 2,
    colorize,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
  });
  return pino(loggerOptions(level), scrubbing(stream));
}
