// The serve shell in-process over real services: routes, validation, token off loopback, host/origin checks, headers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../src-main/shells/serve/server';
import { createRateLimiter, isLoopbackBind, READ_COST, WRITE_COST } from '../../../src-main/shells/serve/security';
import { safeJoin } from '../../../src-main/shells/serve/static-files';
import { testRuntime } from '../../helpers/runtime';
import { tempDir } from '../../helpers/temp';

const rt = await testRuntime();
const staticDir = tempDir('iqa-static-');
mkdirSync(join(staticDir, 'assets'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
const secretDir = tempDir('iqa-secret-');
writeFileSync(join(secretDir, 'secret.txt'), 'top secret');
const secretRel = relative(staticDir, join(secretDir, 'secret.txt'));

const servers: RunningServer[] = [];
async function serve(extra: Partial<Parameters<typeof startServer>[0]> = {}) {
  const s = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir, port: 0, ...extra });
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.close();
  rt.close();
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

function wsOpens(url: string): Promise<boolean> {
  return new Promise((ok) => {
    const ws = new WebSocket(url);
    ws.on('open', () => (ws.close(), ok(true)));
    ws.on('error', () => ok(false));
    ws.on('unexpected-response', () => ok(false));
  });
}

describe('serve mode on loopback (default)', async () => {
  const s = await serve();

  it('binds to 127.0.0.1 without a token', () => {
    expect(s.host).toBe('127.0.0.1');
    expect(s.token).toBeNull();
  });

  it('serves the API as POST /api/<channel>', async () => {
    const res = await post(`${s.url}api/datasets:list`, {});
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; result: { name: string }[] };
    expect(body.ok).toBe(true);
    expect(body.result.map((d) => d.name)).toContain('Demo photos');
  });

  it('answers a bad request with 400 and the field at fault', async () => {
    const res = await post(`${s.url}api/images:list`, { datasetId: 'one' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: false; error: { code: string; message: string } };
    expect(body.error.code).toBe('validation');
    expect(body.error.message).toContain('datasetId');
  });

  it('refuses malformed JSON, a wrong content type and GET on the API', async () => {
    const bad = await fetch(`${s.url}api/app:info`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const form = await fetch(`${s.url}api/app:info`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(400);
    expect((await fetch(`${s.url}api/app:info`)).status).toBe(400);
  });

  it('refuses a foreign Host header (DNS rebinding) and a cross-origin write', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((ok) => {
      const req = request(`${s.url}api/app:info`, { method: 'POST', headers: { Host: 'attacker.example', 'Content-Type': 'application/json' } }, (res) => ok(res.statusCode!));
      req.end('{}');
    });
    expect(status).toBe(403);
    expect((await post(`${s.url}api/app:info`, {}, { Origin: 'http://attacker.example' })).status).toBe(403);
    expect((await post(`${s.url}api/app:info`, {}, { Origin: s.url.replace(/\/$/, '') })).status).toBe(200);
  });

  it('sends the CSP and hardening headers', async () => {
    const res = await fetch(s.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never serves a file outside the renderer folder', async () => {
    const encoded = secretRel.split('/').map(encodeURIComponent).join('%2f');
    for (const p of [encoded, encoded.replace(/\.\./g, '%2e%2e'), '..%2f..%2f..%2f..%2fetc%2fpasswd', 'a%00.js']) {
      const res = await fetch(`${s.url}${p}`);
      const text = await res.text();
      expect(text).not.toContain('top secret');
      expect(text).not.toContain('root:');
    }
    expect(safeJoin(staticDir, `/${secretRel}`)).toBeNull();
    expect(safeJoin(staticDir, '/%2e%2e/x')).toBeNull();
    expect(safeJoin(staticDir, '/a%00b')).toBeNull();
    expect(safeJoin(staticDir, '/assets/app.js')).toBe(join(staticDir, 'assets', 'app.js'));
    expect((await fetch(`${s.url}assets/app.js`)).status).toBe(200);
  });

  it('serves thumbnails and originals by image id only', async () => {
    const page = (await (await post(`${s.url}api/images:list`, { datasetId: 1, limit: 1 })).json()) as { result: { items: { id: number }[] } };
    const id = page.result.items[0]!.id;
    const thumb = await fetch(`${s.url}files/thumb/${id}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await thumb.arrayBuffer()).byteLength).toBeGreaterThan(500);
    expect((await fetch(`${s.url}files/image/${id}`)).headers.get('content-type')).toBe('image/jpeg');
    expect((await fetch(`${s.url}files/thumb/..%2f..%2fetc%2fpasswd`)).status).toBe(400);
    expect((await fetch(`${s.url}files/thumb/99999`)).status).toBe(404);
    expect((await fetch(`${s.url}files/secret/1`)).status).toBe(404);
  });

  it('streams events over the WebSocket', async () => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}ws`);
    await new Promise((ok) => ws.on('open', ok));
    const got = new Promise<string>((ok) => ws.on('message', (m) => ok(String(m))));
    rt.services.events.emit('datasets:changed', { datasetId: 7 });
    expect(JSON.parse(await got)).toEqual({ event: 'datasets:changed', payload: { datasetId: 7 } });
    ws.close();
  });
});

describe('serve mode off loopback (--host)', async () => {
  // 127.0.0.2 stands in for a LAN address: any bind other than the loopback names counts as "told otherwise".
  const s = await serve({ host: '127.0.0.2' });

  it('generates a token and puts it in the URL to open', () => {
    expect(isLoopbackBind('127.0.0.2')).toBe(false);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(s.openUrl).toContain(`?token=${s.token}`);
  });

  it('refuses API calls, files and the WebSocket without the token', async () => {
    const res = await post(`${s.url}api/datasets:list`, {});
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await post(`${s.url}api/datasets:list`, {}, { Authorization: 'Bearer wrong-token-wrong-token-wrong-to' })).status).toBe(401);
    expect((await fetch(`${s.url}files/thumb/1`)).status).toBe(401);
    expect(await wsOpens(`${s.url.replace('http', 'ws')}ws`)).toBe(false);
  });

  it('accepts the token as a bearer header or a query parameter', async () => {
    expect((await post(`${s.url}api/datasets:list`, {}, { Authorization: `Bearer ${s.token}` })).status).toBe(200);
    expect((await fetch(`${s.url}files/thumb/1?token=${s.token}`)).status).toBe(200);
    expect(await wsOpens(`${s.url.replace('http', 'ws')}ws?token=${s.token}`)).toBe(true);
  });
});

describe('rater links off loopback', async () => {
  const s = await serve({ host: '127.0.0.2' });
  const env = <T>(r: { ok: boolean; result?: unknown }) => r.result as T;
  const study = env<{ id: number }>(await rt.invoke('studies:create', { name: 'lan', datasetId: 1, method: 'acr', limit: 2 }));
  const link = env<{ token: string }>(await rt.invoke('studies:addRater', { studyId: study.id, name: 'r1' }));

  it('reach the rating calls and their own stimuli without the server token, and nothing else', async () => {
    const res = await post(`${s.url}api/rate:session`, { token: link.token });
    expect(res.status).toBe(200);
    const session = ((await res.json()) as { result: { current: { itemId: number; first: string } } }).result;
    expect((await fetch(`${s.url}files/rate/${session.current.first}`)).status).toBe(200);
    expect((await post(`${s.url}api/rate:submit`, { token: link.token, itemId: session.current.itemId, value: 4 })).status).toBe(200);
    expect((await post(`${s.url}api/rate:session`, { token: 'not-a-valid-rater-token-at-all' })).status).toBe(401);
    expect((await post(`${s.url}api/studies:results`, { id: study.id })).status).toBe(401);
    expect((await post(`${s.url}api/rate%3Asession`, { token: link.token })).status).toBe(401);
    expect((await fetch(`${s.url}files/image/1`)).status).toBe(401);
  });
});

describe('rate limits per credential', async () => {
  const s = await serve({ writesPerMinute: 5 });
  it('charges a write four reads and answers 429 past the budget', async () => {
    const writes: number[] = [];
    for (let i = 0; i < 7; i++) writes.push((await post(`${s.url}api/settings:set`, { key: 'ui.theme', value: 'dark' })).status);
    expect(writes.slice(0, 5).every((st) => st !== 429)).toBe(true);
    expect(writes.slice(5)).toEqual([429, 429]);
  });
  it('lets reads through four times as often as writes', () => {
    const limits = createRateLimiter({ perMinute: 5 * WRITE_COST });
    const reads = Array.from({ length: 21 }, () => limits.take('a', READ_COST, 0));
    expect(reads.filter(Boolean)).toHaveLength(20);
    expect(limits.take('a', READ_COST, 3000)).toBe(true); // refills continuously: 20 units a minute, one per 3 s
  });
  it('keeps each key\'s budget: a flood of new keys neither resets nor evicts it, and shares one bucket', () => {
    const limits = createRateLimiter({ perMinute: 8, maxKeys: 100 });
    expect(limits.take('organiser', 8, 0)).toBe(true);
    let floodOk = 0;
    for (let i = 0; i < 10_001; i++) if (limits.take(`address:${i}`, 4, 1)) floodOk++;
    expect(limits.size).toBeLessThanOrEqual(100);
    // 99 new keys got a bucket (one call each), the other 9,902 shared one overflow bucket: two calls of 4 in all.
    expect(floodOk).toBe(99 + 2);
    expect(limits.take('organiser', 1, 2)).toBe(false);
  });
  it('limits raters behind one address each on their own link, apart from the organiser', async () => {
    const s2 = await serve({ writesPerMinute: 4, isRaterToken: rt.services.isRaterToken });
    const study = (await (await post(`${s2.url}api/studies:create`, { name: 'nat', datasetId: 1, method: 'acr' })).json()) as { ok: boolean; result: { id: number } };
    const link = async (name: string) => ((await (await post(`${s2.url}api/studies:addRater`, { studyId: study.result.id, name })).json()) as { result: { token: string } }).result.token;
    const a = await link('a');
    const b = await link('b');
    const statuses = async (token: string) => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push((await post(`${s2.url}api/rate:undo`, { token })).status);
      return out;
    };
    expect((await statuses(a)).at(-1)).toBe(429);
    expect((await statuses(b)).slice(0, 4).every((st) => st !== 429)).toBe(true);
    expect((await post(`${s2.url}api/studies:list`, {})).status).toBe(200);
  });
});
