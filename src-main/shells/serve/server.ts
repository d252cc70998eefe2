// The serve shell: the API contract over HTTP (POST /api/<channel>), events over a WebSocket, files and the renderer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, HTTP_STATUS, type Envelope } from '../../../src-shared/api/errors';
import { RATER_CHANNELS } from '../../../src-shared/api/channels';
import { log } from '../../app/logger';
import type { Invoke } from '../../services/dispatch';
import type { EventBus } from '../../services/events';
import type { FileService } from '../../services/files.service';
import {
  DEFAULT_HOST,
  SECURITY_HEADERS,
  allowedHostNames,
  callCost,
  createRateLimiter,
  READ_COST,
  WRITE_COST,
  generateToken,
  hostAllowed,
  isLoopbackBind,
  originAllowed,
  requestToken,
  tokenMatches,
} from './security';
import { sendFile, serveStatic } from './static-files';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface ServeOptions {
  invoke: Invoke;
  events: EventBus;
  files: FileService;
  staticDir: string;
  host?: string;
  port?: number;
  /** Token to require; generated when the bind is not loopback and none is given. */
  token?: string;
  /** Extra Host names to answer to off loopback (a DNS name the lab uses for this machine), see allowedHostNames. */
  allowHosts?: string[];
  /** Writes per minute per credential (the access token, each rater link); a read costs a quarter of a write. */
  writesPerMinute?: number;
  /** Whether a rater token belongs to a rater (its calls are then limited per rater, not per address). */
  isRaterToken?: (token: string) => boolean;
}

export interface RunningServer {
  url: string;
  /** URL to open in a browser (carries the token when one is required). */
  openUrl: string;
  host: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, err: AppError): void {
  const envelope: Envelope<never> = { ok: false, error: err.toJSON() };
  sendJson(res, HTTP_STATUS[err.code], envelope);
}

/** A body larger than the limit: answered 413 at once, from Content-Length when it is declared. */
function tooLarge(): AppError {
  return new AppError('too_large', `Request body over ${MAX_BODY_BYTES} bytes`);
}

/** The body, up to the limit; past it, reading stops (a chunked body declares no length) and the socket is left open for the 413. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      done();
      req.pause();
      fail(tooLarge());
    };
    const onEnd = () => (done(), ok(Buffer.concat(chunks)));
    const onError = (err: Error) => (done(), fail(err));
    const onClose = () => (done(), fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) {
    throw new AppError('validation', 'Requests to the API must have Content-Type: application/json');
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const text = (await readBody(req)).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('validation', 'Request body is not valid JSON');
  }
}

/** Bytes of an oversized body discarded (never stored) after the 413, and for how long, before the socket is cut. */
const LINGER_BYTES = 8 * 1024 * 1024;
const LINGER_MS = 2000;

/**
 * After a 413: the answer goes out with Connection: close and the rest of the body is read and dropped for a short
 * while (as nginx's lingering close does), so the client reads the 413 instead of a reset; then the socket is cut.
 */
function lingeringClose(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  let dropped = 0;
  const cut = () => req.socket?.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  req.socket?.once('close', () => clearTimeout(timer));
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) cut();
  });
  req.on('end', () => res.once('finish', cut));
  req.resume();
}

/** A URL path segment decoded; malformed percent-encoding is the client's error, not ours. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError('validation', 'Malformed percent-encoding in the URL');
  }
}

function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://placeholder');
  } catch {
    throw new AppError('validation', 'Malformed request URL');
  }
}

/** The request line for logs: the path only, never the query (it can carry the access token). */
const logLine = (req: IncomingMessage) => `${req.method} ${(req.url ?? '').split('?')[0]}`;

/** The client went away mid-request (closed the tab, dropped the connection): nothing to answer, nothing to report. */
function clientGone(req: IncomingMessage, err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return !!req.socket?.destroyed || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error | null)?.message === 'aborted';
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST;
  const loopback = isLoopbackBind(host);
  const token = opts.token ?? (loopback ? null : generateToken());
  const hosts = allowedHostNames(host, opts.allowHosts);
  const writesPerMinute = opts.writesPerMinute ?? 1200;
  // Credentials (the access token, known rater links) and anonymous callers (by address) in separate tables, so a
  // flood of made-up tokens or addresses never touches the organiser's or a rater's budget.
  const credentialLimits = createRateLimiter({ perMinute: writesPerMinute * WRITE_COST, maxKeys: 100_000 });
  const anonymousLimits = createRateLimiter({ perMinute: writesPerMinute * WRITE_COST, maxKeys: 10_000 });
  const RATER_TOKEN = /^[A-Za-z0-9_-]{16,200}$/;

  /** Charges a call to the credential it carries: the access token (or, on loopback, the organiser), a rater link, else the address. */
  function allowCall(req: IncomingMessage, url: URL, raterToken: string | null, cost: number): boolean {
    if (raterToken !== null && RATER_TOKEN.test(raterToken) && (opts.isRaterToken?.(raterToken) ?? false)) {
      return credentialLimits.take(`rater:${raterToken}`, cost);
    }
    if (!raterPath(url.pathname) || (token && tokenMatches(token, requestToken(req, url)))) return credentialLimits.take('organiser', cost);
    return anonymousLimits.take(`address:${req.socket.remoteAddress ?? '?'}`, cost);
  }
  if (!existsSync(join(opts.staticDir, 'index.html'))) {
    log.warn('serve', `No built renderer in ${opts.staticDir}; run "npm run build". The API still works.`);
  }

  /** Rater links carry their own token, checked by the studies service: they reach the rating calls and their stimuli only. */
  const raterPath = (path: string) => RATER_CHANNELS.some((c) => path === `/api/${c}`) || path.startsWith('/files/rate/');

  function authorised(req: IncomingMessage, url: URL): AppError | null {
    if (!hostAllowed(req, hosts)) return new AppError('forbidden', 'Host header not allowed');
    if (token && !raterPath(url.pathname) && !tokenMatches(token, requestToken(req, url))) {
      return new AppError('unauthorized', 'This server needs an access token: open the URL it printed at start');
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = requestUrl(req);
    const path = url.pathname;

    if (path.startsWith('/api/')) {
      const denied = authorised(req, url);
      if (denied) return sendError(res, denied);
      if (req.method !== 'POST') return sendError(res, new AppError('validation', 'API calls use POST'));
      if (!originAllowed(req)) return sendError(res, new AppError('forbidden', 'Cross-origin request refused'));
      const channel = decodeSegment(path.slice('/api/'.length));
      const input = await readJsonBody(req);
      const raterToken = raterPath(path) && typeof (input as { token?: unknown } | null)?.token === 'string' ? (input as { token: string }).token : null;
      if (!allowCall(req, url, raterToken, callCost(channel))) {
        return sendError(res, new AppError('rate_limited', 'Too many requests; slow down'));
      }
      const envelope = await opts.invoke(channel, input);
      return sendJson(res, envelope.ok ? 200 : HTTP_STATUS[envelope.error.code], envelope);
    }

    if (path.startsWith('/files/')) {
      const denied = authorised(req, url);
      if (denied) return sendError(res, denied);
      const [, , kind = '', id = ''] = path.split('/');
      if (!allowCall(req, url, kind === 'rate' ? decodeSegment(id).split('~')[0]! : null, READ_COST)) {
        return sendError(res, new AppError('rate_limited', 'Too many requests; slow down'));
      }
      const file = await opts.files.resolve(kind, id);
      return sendFile(res, file.path, file.contentType, 'private, max-age=3600');
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, new AppError('validation', `${req.method} is not allowed here`));
    }
    if (!hostAllowed(req, hosts)) return sendError(res, new AppError('forbidden', 'Host header not allowed'));
    if (!(await serveStatic(res, opts.staticDir, path))) {
      return sendError(res, new AppError('not_found', `Not found: ${path}`));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (clientGone(req, err)) {
        log.debug('serve', `${logLine(req)}: the client closed the connection`);
        res.destroy();
        return;
      }
      const appErr = AppError.from(err);
      if (appErr.code === 'internal') log.error('serve', logLine(req), err);
      if (res.headersSent) return void res.destroy();
      if (appErr.code === 'too_large') lingeringClose(req, res);
      sendError(res, appErr);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    let url: URL;
    try {
      url = requestUrl(req);
    } catch {
      socket.destroy();
      return;
    }
    if (url.pathname !== '/ws' || authorised(req, url) || !originAllowed(req)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  const unsubscribe = opts.events.subscribe((event, payload) => {
    const message = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;
  return {
    url,
    openUrl: token ? `${url}?token=${encodeURIComponent(token)}` : url,
    host,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
