import pino, { type Logger } from 'pino';

export type { Logger };

/** Anything that could carry a secret is removed before a line is written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers.cookie',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.password',
  '*.token',
  'headers.authorization',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  pretty?: boolean;
  /** Where lines go: stdout (the apps), or stderr for a CLI whose stdout is its result (--json). */
  to?: 'stdout' | 'stderr';
}

export function createLogger({ name, level = 'info', pretty = false, to = 'stdout' }: LoggerOptions): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  };
  return to === 'stderr' && !pretty ? pino(options, pino.destination(2)) : pino(options);
}
