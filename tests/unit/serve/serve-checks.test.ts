// Serve mode's request checks at their edges: a request without a Host header, and the opaque origin "null" (sandboxed
// iframes, file: pages, some redirects) on a write. Both must be refused on a loopback bind.
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../../src-main/shells/serve/server';
import { testRuntime } from '../../helpers/runtime';
import { tempDir } from '../../helpers/temp';

const rt = await testRuntime({ seedDemo: false });
const server = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir: tempDir('iqa-static-none-'), port: 0 });
afterAll(async () => {
  await server.close();
  rt.close();
});

/** Sends raw request bytes and returns the status code of the reply. */
function rawStatus(request: string): Promise<number> {
  const { port } = new URL(server.url);
  return new Promise((ok, fail) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let reply = '';
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('end', () => ok(Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0)));
    socket.on('error', fail);
  });
}

const body = '{}';
const post = (headers: string) =>
  `POST /api/app:info HTTP/1.0\r\n${headers}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('serve mode on loopback: request checks', () => {
  it('refuses a request without a Host header (HTTP/1.0 may omit it)', async () => {
    expect(await rawStatus(post(''))).toBe(403);
    // The same request with a loopback Host is answered: the refusal is about the missing header.
    expect(await rawStatus(post(`Host: 127.0.0.1:${new URL(server.url).port}\r\n`))).toBe(200);
  });

  it('refuses a write whose Origin is "null"', async () => {
    const headers = { 'Content-Type': 'application/json' };
    expect((await fetch(`${server.url}api/app:info`, { method: 'POST', headers: { ...headers, Origin: 'null' }, body })).status).toBe(403);
    expect((await fetch(`${server.url}api/app:info`, { method: 'POST', headers, body })).status).toBe(200);
  });
});
