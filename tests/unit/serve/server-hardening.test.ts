// Issue 18, items 5-9: Host names off loopback, nesting depth, clear 4xx instead of `internal`, 413 before reading, and logs without tokens or client-abort noise.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import { AppError } from '../../../src-shared/api/errors';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { allowedHostNames } from '../../../src-main/shells/serve/security';
import { startServer, type RunningServer } from '../../../src-main/shells/serve/server';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

let rt: Runtime;
const servers: RunningServer[] = [];
const staticDir = tempDir('iqa-hard-static-');
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');

async function serve(extra: Partial<Parameters<typeof startServer>[0]> = {}) {
  const s = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir, port: 0, ...extra });
  servers.push(s);
  return s;
}

/** A raw HTTP request (fetch cannot send a foreign Host header or a body it does not finish). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => ok({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-hard-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rt.close();
});

describe('item 5: Host header off loopback (DNS rebinding)', () => {
  it('answers the bound address and the names allowed, and refuses any other Host even with the token', async () => {
    const s = await serve({ host: '127.0.0.2' });
    const auth = { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' };
    expect((await raw(`${s.url}api/app:info`, { method: 'POST', headers: auth })).status).toBe(200);
    const evil = await raw(`${s.url}api/app:info`, { method: 'POST', headers: { ...auth, Host: `attacker.example:${s.port}` } });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/Host header not allowed/);
    const named = await serve({ host: '127.0.0.2', allowHosts: ['lab.example'] });
    const ok = await raw(`${named.url}api/app:info`, { method: 'POST', headers: { Authorization: `Bearer ${named.token}`, 'Content-Type': 'application/json', Host: `LAB.example:${named.port}` } });
    expect(ok.status).toBe(200);
  });

  it('on 0.0.0.0 knows this machine\'s own addresses and host name, not other names', () => {
    const names = allowedHostNames('0.0.0.0');
    expect(names.has('127.0.0.1')).toBe(true);
    expect(names.has('attacker.example')).toBe(false);
    expect(allowedHostNames('0.0.0.0', ['lab.example']).has('lab.example')).toBe(true);
  });
});

describe('item 6: JSON nesting depth', () => {
  it('answers 400 (not a 500 stack overflow) to input nested 10,000 deep', async () => {
    const s = await serve();
    const deep = `{"id":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await post(`${s.url}api/datasets:get`, deep);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/nests deeper than 32 levels/);
  });
});

describe('item 7: clear 4xx instead of internal', () => {
  it('a truncated image on /files/thumb is 422 with the reason', async () => {
    const dir = tempDir('iqa-hard-trunc-');
    await writeBlurDataset(dir);
    const full = readFileSync(join(dir, 'img', 'bee_0.png'));
    writeFileSync(join(dir, 'img', 'bee_0.png'), full.subarray(0, Math.floor(full.length / 2)));
    const r = await rt.invoke('datasets:import', { format: 'folder', root: dir, name: 'trunc' });
    const jobId = (r as { result: JobInfo }).result.jobId;
    await vi.waitFor(() => expect(rt.ctx.jobs.get(jobId)?.state).toBe('done'), { timeout: 30_000 });
    const id = (databaseOf(rt.ctx.store).prepare("SELECT id FROM images WHERE name = 'img/bee_0.png'").get() as { id: number }).id;
    const s = await serve();
    const res = await fetch(`${s.url}files/thumb/${id}`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/cannot be decoded for a thumbnail: .*truncated or corrupt/);
  });

  it('malformed percent-encoding in the URL is 400', async () => {
    const s = await serve();
    const res = await raw(`${s.url}api/%E0%A4%A`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/Malformed percent-encoding/);
  });

  it('two imports started at once under one name: the second is a 409 conflict', async () => {
    const dir = tempDir('iqa-hard-twice-');
    await writeBlurDataset(dir);
    const s = await serve();
    const body = JSON.stringify({ format: 'folder', root: dir, name: 'twice' });
    const [a, b] = await Promise.all([post(`${s.url}api/datasets:import`, body), post(`${s.url}api/datasets:import`, body)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const refused = (await (a.status === 409 ? a : b).json()) as { error: { code: string; message: string } };
    expect(refused.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/"twice"/) });
  });

  it('the UNIQUE constraint on a dataset name becomes a conflict, not an internal error', () => {
    rt.ctx.store.datasets.create({ name: 'taken', kind: 'folder' });
    expect(() => rt.ctx.store.datasets.create({ name: 'taken', kind: 'folder' })).toThrow(AppError);
    try {
      rt.ctx.store.datasets.create({ name: 'taken', kind: 'folder' });
    } catch (err) {
      expect((err as AppError).code).toBe('conflict');
    }
  });

  it('an empty CSV or a binary file as the CSV gets our own message, not csv-parse\'s', async () => {
    const dir = tempDir('iqa-hard-csv-');
    await writeBlurDataset(dir);
    writeFileSync(join(dir, 'empty.csv'), '\n\n');
    const cases: [string, RegExp][] = [
      ['empty.csv', /^Cannot read|empty\.csv is empty; expected a header row with the columns path, score/],
      ['img/bee_1.png', /bee_1\.png is not a text table \(it holds binary data\)/],
    ];
    for (const [file, message] of cases) {
      const r = await rt.invoke('datasets:import', { format: 'csv', root: dir, name: `csv-${file}`, file });
      const jobId = (r as { result: JobInfo }).result.jobId;
      await vi.waitFor(() => expect(rt.ctx.jobs.get(jobId)?.state).toBe('failed'), { timeout: 30_000 });
      const error = rt.ctx.jobs.get(jobId)!.error!;
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/Invalid Opening Quote|value is/);
    }
  });
});

describe('item 8: oversized bodies', () => {
  it('answers 413 from Content-Length before reading the body, and the client gets the answer', async () => {
    const s = await serve();
    const status = await new Promise<number>((ok, fail) => {
      const req = request(`${s.url}api/app:info`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(50 * 1024 * 1024) } }, (res) => {
        ok(res.statusCode!);
        res.resume();
      });
      req.on('error', fail);
      req.write('{"a":"'); // the rest is never sent: the answer must come from the header alone
    });
    expect(status).toBe(413);
  });

  it('stops reading a chunked body at the limit and answers 413', async () => {
    const s = await serve();
    const status = await new Promise<number>((ok, fail) => {
      const req = request(`${s.url}api/app:info`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        ok(res.statusCode!);
        res.resume();
      });
      req.on('error', (err) => (req.destroyed ? undefined : fail(err)));
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 3 * 1024 * 1024 && req.write(chunk)) sent += chunk.length;
        if (sent < 3 * 1024 * 1024) req.once('drain', () => ((sent += chunk.length), pump()));
      };
      pump();
    });
    expect(status).toBe(413);
  });
});

describe('item 9: logs', () => {
  const lines: string[] = [];
  beforeAll(() => {
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  });
  afterEach(() => {
    lines.length = 0;
  });
  afterAll(() => vi.restoreAllMocks());

  it('never write the access token of a failing request', async () => {
    const failing = async () => {
      throw new Error('boom');
    };
    const s = await serve({ host: '127.0.0.2', token: 'SeCrEtToKeN1234567890', invoke: failing as never });
    const res = await raw(`${s.url}api/app:info?token=SeCrEtToKeN1234567890`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(500);
    expect(lines.join('')).toMatch(/\[error\] \[serve\] POST \/api\/app:info/);
    expect(lines.join('')).not.toContain('SeCrEtToKeN1234567890');
  });

  it('do not report a client that hangs up mid-request as an error with a stack', async () => {
    const s = await serve();
    await new Promise<void>((ok) => {
      const req = request(`${s.url}api/app:info`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' } });
      req.on('error', () => ok());
      req.write('{"a":');
      setTimeout(() => (req.destroy(), setTimeout(ok, 300)), 100);
    });
    expect(lines.filter((l) => l.startsWith('[error]'))).toEqual([]);
  });
});
