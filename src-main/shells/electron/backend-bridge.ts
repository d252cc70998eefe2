// Main-process side of the backend child: forks it, matches replies to requests, forwards its events.
import { fork, type ChildProcess } from 'node:child_process';
import { AppError, type Envelope } from '../../../src-shared/api/errors';
import type { ServedFile } from '../../services/files.service';
import type { HostMessage, HostRequest } from './backend-protocol';

export interface BridgeOptions {
  /** The backend-host module to run. */
  modulePath: string;
  /** Node executable; the system `node` keeps native modules on Node's ABI. */
  execPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
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
  const child: ChildProcess = fork(opts.modulePath, [], {
    execPath: opts.execPath ?? 'node',
    execArgv: opts.execArgv ?? [],
    env: opts.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  let nextId = 1;
  let exited = false;

  function request(body: RequestBody): Promise<Envelope<unknown>> {
    if (exited) return Promise.resolve({ ok: false, error: { code: 'internal', message: 'The backend has stopped' } });
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child.send({ ...body, id } as HostRequest);
    });
  }

  const bridge: BackendBridge = {
    invoke: (channel, input) => request({ type: 'invoke', channel, input }),
    async file(kind, fileId) {
      const envelope = await request({ type: 'file', kind, fileId });
      if (!envelope.ok) throw AppError.from(envelope.error);
      return envelope.result as ServedFile;
    },
    stop() {
      if (!exited) child.disconnect();
    },
  };

  return new Promise((resolve, reject) => {
    child.on('message', (msg: HostMessage) => {
      if (msg.type === 'ready') resolve(bridge);
      else if (msg.type === 'fatal') reject(new Error(`backend failed to start: ${msg.message}`));
      else if (msg.type === 'reply') {
        pending.get(msg.id)?.(msg.envelope);
        pending.delete(msg.id);
      } else if (msg.type === 'event') opts.onEvent(msg.event, msg.payload);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      exited = true;
      for (const done of pending.values()) done({ ok: false, error: { code: 'internal', message: 'The backend exited' } });
      pending.clear();
      reject(new Error(`backend exited with code ${code}`));
      opts.onExit?.(code);
    });
  });
}
