// Serves the built renderer from one folder, refusing any path that would leave it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { BUNDLE_MIME as MIME } from '../bundle-mime';


/** Resolves a URL path inside `root`, or null when it would escape it. */
export function safeJoin(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const full = resolve(join(base, decoded));
  return full === base || full.startsWith(base + sep) ? full : null;
}

export async function sendFile(res: ServerResponse, path: string, contentType?: string, cache = 'no-cache') {
  const st = await stat(path);
  res.writeHead(200, {
    'Content-Type': contentType ?? MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': cache,
  });
  await new Promise<void>((ok, fail) => {
    const stream = createReadStream(path);
    stream.on('error', fail);
    res.on('close', () => {
      stream.destroy();
      ok();
    });
    stream.pipe(res);
  });
}

/** Serves the renderer's file for `urlPath`; unknown paths get index.html (the app routes by hash). */
export async function serveStatic(res: ServerResponse, root: string, urlPath: string): Promise<boolean> {
  const file = safeJoin(root, urlPath === '/' ? '/index.html' : urlPath);
  if (!file) return false;
  const st = await stat(file).catch(() => null);
  if (st?.isFile()) {
    await sendFile(res, file, undefined, file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    return true;
  }
  if (extname(urlPath)) return false;
  await sendFile(res, join(root, 'index.html'));
  return true;
}
