import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from '../core/scrub-secrets.ts';

export type { Logger };

/** Keys whose values are never logged, wherever they appear in a log object. */
const REDACT_PATHS = [
  'client_secret',
  '*.client_secret',
  'clientSecret',
  '*.clientSecret',
  'private_key',
  '*.private_key',
  'privateKey',
  '*.privateKey',
  'intake_key',
  '*.intake_key',
  'intakeKey',
  '*.intakeKey',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'auth_token',
  '*.auth_token',
  'connection_string',
  '*.connection_string',
];

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `auto`: human-readable lines when stderr is a terminal, JSON (one object a line) otherwise. */
export function resolveLogFormat(format: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTTY ? 'pretty' : 'json') : format;
}

/**
 * Every line passes through the shared scrubber before it is written (or pretty-printed): a secret or token echoed
 * by a remote server inside an error message (which no redact path can know about) never reaches the log.
 */
export function scrubbing(destination: NodeJS.WritableStream | DestinationStream): DestinationStream {
  return { write: (line: string) => destination.write(scrubSecrets(line)) };
}

/** Options of every logger: level, the app name, secrets redacted by key. */
export const loggerOptions = (level: string) => ({
  level,
  base: { app: 'o365-intake' },
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
});

/** JSON lines (one object a line) to `destination`, stderr by default; pretty lines: `createPrettyLogger`. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(loggerOptions(level), scrubbing(destination ?? pino.destination(2)));
}

/** A logger that discards everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
