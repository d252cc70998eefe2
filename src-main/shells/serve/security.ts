// Serve-mode access rules: loopback by default, a token off loopback, host/origin checks, write rate limits, CSP.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { RENDERER_CSP } from '../../../src-shared/csp';

export const DEFAULT_HOST = '127.0.0.1';
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** True when binding to `host` keeps the server on this machine only (then no token is needed). */
export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_NAMES.has(host);
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The token a request carries: `Authorization: Bearer …`, else a `token` query parameter (img src, WebSocket). */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token');
}

export function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]']);

/** The name part of a Host header, lower case, IPv6 in brackets: `[::1]:7878` → `[::1]`, `Lab.local:80` → `lab.local`. */
export function hostName(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return name.toLowerCase().replace(/\.$/, '');
}

const bracketed = (address: string) => (address.includes(':') ? `[${address}]` : address);

/**
 * The Host names this server answers to (DNS rebinding: a page whose name rebinds to this machine must not reach
 * the API): loopback names; off loopback also the bound address, or every address of this machine and its host name
 * when bound to all of them, and the names given with --allow-host.
 */
export function allowedHostNames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (!isLoopbackBind(bindHost)) {
    if (WILDCARD_BINDS.has(bindHost)) {
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bracketed(a.address.split('%')[0]!.toLowerCase()));
      const host = hostname().toLowerCase();
      names.add(host);
      if (!host.includes('.')) names.add(`${host}.local`);
    } else {
      names.add(hostName(bracketed(bindHost.replace(/^\[|\]$/g, ''))));
    }
  }
  for (const e of extra) names.add(hostName(e.includes(':') && !e.startsWith('[') && e.split(':').length > 2 ? `[${e}]` : e));
  return names;
}

/** Whether the request's Host header names this server (see allowedHostNames). */
export function hostAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const host = req.headers.host;
  return !!host && allowed.has(hostName(host));
}

/** Browsers send Origin on cross-site writes; only our own origin may write. */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Calls that only read: they cost READ_COST of a credential's budget, everything else WRITE_COST. */
const READ_CHANNEL = /^[a-z]+:(list|get|info|formats|facets|siblings|maps|predictions|results|export|session|stats|sample|calibration|evaluations|neighbours|browse|sharpnessMap|exportCsv)$/;
export const READ_COST = 1;
export const WRITE_COST = 4;
export const callCost = (channel: string): number => (READ_CHANNEL.test(channel) ? READ_COST : WRITE_COST);

export interface RateLimiterOptions {
  /** Budget per key per minute, in cost units (a write costs WRITE_COST, a read READ_COST); also the burst. */
  perMinute: number;
  /** Most keys held at once; past it, keys not already held share one bucket. */
  maxKeys?: number;
}

/**
 * Token buckets per key (a credential, or an address for calls without one). The table is bounded and no flood
 * can reset it: when it is full, only buckets that have refilled completely are dropped (dropping them forgets
 * nothing), and a key that still finds no room is charged to one shared overflow bucket instead of getting a fresh
 * one. So a flood of new keys throttles itself, never the keys already held.
 */
export function createRateLimiter(opts: RateLimiterOptions) {
  const capacity = opts.perMinute;
  const perMs = capacity / 60_000;
  const maxKeys = opts.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const overflow = { tokens: capacity, at: 0 };
  let lastSweep = -Infinity;
  const refill = (b: { tokens: number; at: number }, now: number) => {
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
    b.at = now;
  };
  const sweep = (now: number) => {
    lastSweep = now;
    for (const [key, b] of buckets) if (b.tokens + (now - b.at) * perMs >= capacity) buckets.delete(key);
  };
  return {
    /** Charges `cost` to `key`; false (and nothing charged) when its bucket lacks it. */
    take(key: string, cost: number, now = Date.now()): boolean {
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys && now - lastSweep >= 1000) sweep(now);
        if (buckets.size < maxKeys) buckets.set(key, (b = { tokens: capacity, at: now }));
        else b = overflow;
      }
      refill(b, now);
      if (b.tokens < cost) return false;
      b.tokens -= cost;
      return true;
    },
    get size() {
      return buckets.size;
    },
  };
}
