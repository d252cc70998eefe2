// Main-process side of the back end: starts it (a utilityProcess, or a Node child in development), matches replies to requests, forwards its events.
import { fork } from 'node:child_process';
import { AppError, type Envelope } from '../../../src-shared/api/errors';
import type { ServedFile } from '../../services/files.service';
import type { HostMessage, HostRequest } from './backend-protocol';

/** A message channel to the back-end process, whichever kind of process it is. */
export interface BackendChannel {
  post(message: HostRequest): void;
  onMessage(listener: (message: HostMessage) => void): void;
  onExit(listener: (code: number | null) => void): void;
  onError(listener: (err: Error) => void): void;
  stop(): void;
}

/** A Node child process (child_process.fork) with an explicit executable and environment: development and tests. */
export function forkChannel(opts: { modulePath: string; execPath: string; execArgv?: string[]; env: NodeJS.ProcessEnv }): BackendChannel {
  const child = fork(opts.modulePath, [], { execPath: opts.execPath, execArgv: opts.execArgv ?? [], env: opts.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    post: (m) => void child.send(m),
    onMessage: (l) => void child.on('message', (m) => l(m as HostMessage)),
    onExit: (l) => void child.on('exit', (code) => l(code)),
    onError: (l) => void child.on('error', l),
    stop: () => {
      if (child.connected) child.disconnect();
    },
  };
}

export interface BridgeOptions {
  channel: BackendChannel;
  onEvent: (event: string, payload: unknown) => void;
  onExit?: (code: number | null) => void;
}

export interface BackendBridge {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>;
  file(kind: string, id: string): Promise<ServedFile>;
  stop(): void;
}

type RequestBody = HostRequest extends infer R ? (R extends HostRequest ? Omit<R, 'id'> : never) : never;

export function startBackend(opts: BridgeOptions): Promise<BackendBridge> {
  const { channel } = opts;
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  let nextId = 1;
  let exited = false;

  function request(body: RequestBody): Promise<Envelope<unknown>> {
    if (exited) return Promise.resolve({ ok: false, error: { code: 'internal', message: 'The backend has stopped' } });
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      channel.post({ ...body, id } as HostRequest);
    });
  }

  const bridge: BackendBridge = {
    invoke: (name, input) => request({ type: 'invoke', channel: name, input }),
    async file(kind, fileId) {
      const envelope = await request({ type: 'file', kind, fileId });
      if (!envelope.ok) throw AppError.from(envelope.error);
      return envelope.result as ServedFile;
    },
    stop() {
      if (!exited) channel.stop();
    },
  };

  return new Promise((resolve, reject) => {
    channel.onMessage((msg) => {
      if (msg.type === 'ready') resolve(bridge);
      else if (msg.type === 'fatal') reject(new Error(`backend failed to start: ${msg.message}`));
      else if (msg.type === 'reply') {
        pending.get(msg.id)?.(msg.envelope);
        pending.delete(msg.id);
      } else if (msg.type === 'event') opts.onEvent(msg.event, msg.payload);
    });
    channel.onError(reject);
    channel.onExit((code) => {
      exited = true;
      for (const done of pending.values()) done({ ok: false, error: { code: 'internal', message: 'The backend exited' } });
      pending.clear();
      reject(new Error(`backend exited with code ${code}`));
      opts.onExit?.(code);
    });
  });
}
