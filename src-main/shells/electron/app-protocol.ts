// The two custom schemes of the desktop app, free of electron imports so tests can drive them: app:// serves the renderer bundle (confined to its folder), iqa:// names files by kind and id.
import { open, realpath } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isInside } from '../../util/real-path';
import { APP_HOST, APP_SCHEME, RENDERER_CSP } from './window-options';
import { BUNDLE_MIME as MIME } from '../bundle-mime';


/** The scheme privileges Electron registers before the app is ready (protocol.registerSchemesAsPrivileged). */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: 'iqa', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
] as const;

export interface AppFile {
  path: string;
  headers: Record<string, string>;
}

/**
 * The bundle file an app:// URL names, or null: only the app://bundle/ host, a decodable path without NUL, whose
 * real path (symlinks resolved) is a regular file inside the real renderer folder. "/" is index.html.
 */
export async function resolveAppFile(rendererDir: string, url: string): Promise<AppFile | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const root = await realpath(rendererDir).catch(() => null);
  const real = root ? await realpath(join(root, rel === '/' ? 'index.html' : rel)).catch(() => null) : null;
  if (!root || !real || real === root || !isInside(root, real)) return null;
  const handle = await open(real, 'r').catch(() => null);
  if (!handle) return null;
  const regular = (await handle.stat()).isFile();
  await handle.close();
  if (!regular) return null;
  return {
    path: real,
    headers: {
      'Content-Type': MIME[extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  };
}

/** The file kind and id an iqa:// URL names (`iqa://thumb/42`), or null for anything else; the back end resolves them. */
export function parseIqaUrl(url: string): { kind: string; id: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const id = u.pathname.replace(/^\//, '');
  if (u.protocol !== 'iqa:' || !/^[a-z]{1,16}$/.test(u.host) || !id || id.includes('/') || u.search || u.username) return null;
  return { kind: u.host, id };
}
