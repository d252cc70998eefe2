// The only module that talks to the back end: the Electron preload bridge when present, else HTTP + WebSocket.
import type { EventChannel, InvokeChannel } from '../../src-shared/api/channels';
import type { EventOf, InputOf, OutputOf } from '../../src-shared/api/contract';
import { AppError, type Envelope } from '../../src-shared/api/errors';

interface PreloadBridge {
  invoke: Record<InvokeChannel, (input: unknown) => Promise<Envelope<unknown>>>;
  on(event: EventChannel, callback: (payload: unknown) => void): () => void;
  /** The desktop's own folder dialog; null when cancelled. */
  pickFolder(defaultPath?: string): Promise<string | null>;
}

declare global {
  interface Window {
    iqa?: PreloadBridge;
  }
}

const TOKEN_KEY = 'iqa.token';
const bridge: PreloadBridge | undefined = typeof window !== 'undefined' ? window.iqa : undefined;
export const transport: 'electron' | 'http' = bridge ? 'electron' : 'http';

/** Takes an access token from the URL once (serve mode off loopback), keeps it for the tab, hides it from the address bar. */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.toString());
  }
  return sessionStorage.getItem(TOKEN_KEY);
}
const token = bridge ? null : takeToken();

export async function call<C extends InvokeChannel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  let envelope: Envelope<unknown>;
  if (bridge) {
    envelope = await bridge.invoke[channel](input);
  } else {
    const res = await fetch(`/api/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(input),
    });
    envelope = (await res.json()) as Envelope<unknown>;
  }
  if (!envelope.ok) throw AppError.from(envelope.error);
  return envelope.result as OutputOf<C>;
}

/** The native folder dialog in the desktop app; undefined in a browser, where folders:browse lists the server's folders. */
export const pickFolderNative: ((defaultPath?: string) => Promise<string | null>) | undefined = bridge ? (p) => bridge.pickFolder(p) : undefined;

export type FileKind = 'image' | 'thumb' | 'raw' | 'map' | 'reference' | 'rate' | 'report';

/** URL the renderer can put in an <img src>: the iqa:// protocol in Electron, /files/… in serve mode. An image id, or a map's fileId (images:maps). */
export function fileUrl(kind: FileKind, id: number | string): string {
  const safe = encodeURIComponent(String(id));
  if (bridge) return `iqa://${kind}/${safe}`;
  return `/files/${kind}/${safe}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

type Listener = (payload: unknown) => void;
const listeners = new Map<EventChannel, Set<Listener>>();
let socket: WebSocket | null = null;
let retryMs = 500;

function connectSocket(): void {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  socket = ws;
  ws.onopen = () => {
    retryMs = 500;
  };
  ws.onmessage = (msg) => {
    const { event, payload } = JSON.parse(String(msg.data)) as { event: EventChannel; payload: unknown };
    listeners.get(event)?.forEach((l) => l(payload));
  };
  ws.onclose = () => {
    socket = null;
    setTimeout(connectSocket, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

/** Subscribes to a back-end event; returns the unsubscribe function. */
export function on<E extends EventChannel>(event: E, callback: (payload: EventOf<E>) => void): () => void {
  if (bridge) return bridge.on(event, callback as Listener);
  if (!socket) connectSocket();
  const set = listeners.get(event) ?? new Set<Listener>();
  set.add(callback as Listener);
  listeners.set(event, set);
  return () => set.delete(callback as Listener);
}
