import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

const TOKEN_PATTERN = String.raw`\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]+`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds a scrubber that replaces Slack tokens and every configured secret with [REDACTED], wherever
 * they appear in a log line (message, error, request body…), not only at known field paths.
 */
export function secretScrubber(secrets: (string | undefined)[]): (line: string) => string {
  const literals = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6).map(escapeRegExp);
  const pattern = new RegExp([TOKEN_PATTERN, ...literals].join('|'), 'g');
  return (line) => line.replace(pattern, '[REDACTED]');
}

export interface LoggerOptions {
  level: string;
  secrets?: (string | undefined)[];
  destination?: DestinationStream;
}

/** The process logger: pino JSON with secrets scrubbed from every line. */
export function createLogger(opts: LoggerOptions): Logger {
  const scrub = secretScrubber(opts.secrets ?? []);
  return pino(
    {
      level: opts.level,
      base: { app: 'incident-officer' },
      redact: { paths: ['*.token', '*.botToken', '*.signingSecret', '*.appToken', 'headers.authorization', '*.headers.authorization'], censor: '[REDACTED]' },
      hooks: { streamWrite: scrub },
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination,
  );
}
