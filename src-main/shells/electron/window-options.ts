// The locked-down BrowserWindow settings, the renderer's origin and CSP; kept free of electron imports so tests can read them.

/** The bundle is served from this privileged scheme (app-protocol.ts), never from file://, so 'self' means the bundle only. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The renderer's Content-Security-Policy (src-shared/csp.ts, the same one serve sends). */
export { RENDERER_CSP } from '../../../src-shared/csp';

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    webviewTag: false,
    // No auxclick (middle click) events, which can open links outside the navigation handlers (AUXCLICK_JS_CHECK).
    disableBlinkFeatures: 'Auxclick',
  } as const;
}

/** The exact settings above as a type: main.ts spells them out at the BrowserWindow call and `satisfies` this. */
export type SecureWebPreferences = ReturnType<typeof secureWebPreferences>;

/** Links the window may hand to the system browser: absolute https URLs without credentials, nothing else. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Only our own bundled renderer may call the API. */
export function isTrustedRendererUrl(url: string, rendererIndexUrl: string): boolean {
  try {
    const u = new URL(url);
    const own = new URL(rendererIndexUrl);
    return u.protocol === own.protocol && u.host === own.host && u.pathname === own.pathname;
  } catch {
    return false;
  }
}

/** The folder dialog's starting folder from the renderer: an absolute path without NUL bytes, else none. */
export function dialogDefaultPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 4096 || value.includes('\0')) return undefined;
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(value) ? value : undefined;
}
