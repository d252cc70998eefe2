// The renderer page's one Content-Security-Policy: both shells send it (Electron's app:// protocol, serve) and src-renderer/index.html carries it as a <meta>.

/** Nothing by default; scripts, styles and fonts from the bundle, images also by id over iqa:// (Electron), no network but our own origin. */
const DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: iqa:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

export const RENDERER_CSP = DIRECTIVES.join('; ');

/** The policy as index.html's <meta> gives it: browsers ignore frame-ancestors there (the headers carry it). */
export const RENDERER_META_CSP = DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors ')).join('; ');
