// The Electron shell's back end: the services in their own process (Electron's utilityProcess, or a Node child in development), spoken to by messages.
import { AppError } from '../../../src-shared/api/errors';
import { openRuntime } from '../../runtime';
import { parseBackendChoice } from '../../iqa/backend';
import type { HostMessage, HostRequest } from './backend-protocol';

/** The parent's end as this process sees it: Electron's process.parentPort in a utilityProcess, else Node's IPC. */
export interface HostPort {
  send(message: HostMessage): void;
  onMessage(listener: (request: HostRequest) => void): void;
  /** The parent went away (IPC disconnect); a utility process is ended by Electron instead. */
  onParentGone(listener: () => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function hostPort(): HostPort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data as HostRequest)),
      onParentGone: () => {},
    };
  }
  if (!process.send) throw new Error('backend-host must run in a utilityProcess or with an IPC channel (child_process.fork)');
  return {
    send: (m) => void process.send?.(m),
    onMessage: (l) => void process.on('message', (m) => l(m as HostRequest)),
    onParentGone: (l) => void process.on('disconnect', l),
  };
}

async function main(port: HostPort): Promise<void> {
  const rt = await openRuntime({ shell: 'electron', backend: parseBackendChoice(process.env.IQA_BACKEND), demoDistortions: true });
  rt.services.events.subscribe((event, payload) => port.send({ type: 'event', event, payload }));
  port.onMessage((raw) => {
    void (async () => {
      if (raw.type === 'invoke') {
        port.send({ type: 'reply', id: raw.id, envelope: await rt.invoke(raw.channel, raw.input) });
      } else if (raw.type === 'file') {
        try {
          const file = await rt.services.files.resolve(raw.kind, raw.fileId);
          port.send({ type: 'reply', id: raw.id, envelope: { ok: true, result: { path: file.path, contentType: file.contentType } } });
        } catch (err) {
          port.send({ type: 'reply', id: raw.id, envelope: { ok: false, error: AppError.from(err).toJSON() } });
        }
      }
    })();
  });
  port.onParentGone(() => {
    rt.close();
    process.exit(0);
  });
  port.send({ type: 'ready' });
}

const port = hostPort();
main(port).catch((err: unknown) => {
  port.send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
