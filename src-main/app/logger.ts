// Prefixed logging to stderr, so stdout stays clean for CLI output such as --json; tokens and credentials are redacted.
type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = (): number => LEVELS[(process.env.IQA_LOG_LEVEL as Level) ?? 'info'] ?? LEVELS.info;

/** Secrets that may ride in a logged URL or error: access tokens in query strings, bearer headers, URL credentials. */
export function redact(text: string): string {
  return text
    .replace(/([?&](?:token|access_token|key|password)=)[^&#\s]*/gi, '$1[redacted]')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]')
    .replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[redacted]@');
}

function write(level: Level, scope: string, message: string, err?: unknown): void {
  if (LEVELS[level] < threshold()) return;
  const detail = err instanceof Error ? ` ${err.stack ?? err.message}` : err === undefined ? '' : ` ${String(err)}`;
  process.stderr.write(redact(`[${level}] [${scope}] ${message}${detail}\n`));
}

export const log = {
  debug: (scope: string, message: string) => write('debug', scope, message),
  info: (scope: string, message: string) => write('info', scope, message),
  warn: (scope: string, message: string, err?: unknown) => write('warn', scope, message, err),
  error: (scope: string, message: string, err?: unknown) => write('error', scope, message, err),
};
