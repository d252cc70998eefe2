// The Electron shell's backend: a Node child process running the services, spoken to over process IPC.
import { AppError } from '../../../src-shared/api/errors';
import { openRuntime } from '../../runtime';
import { parseBackendChoice } from '../../iqa/backend';
import type { HostMessage, HostRequest } from './backend-protocol';

function send(message: HostMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('backend-host must be started with an IPC channel (child_process.fork)');
  const rt = await openRuntime({ shell: 'electron', backend: parseBackendChoice(process.env.IQA_BACKEND), demoDistortions: true });
  rt.services.events.subscribe((event, payload) => send({ type: 'event', event, payload }));

  process.on('message', (raw: HostRequest) => {
    void (async () => {
      if (raw.type === 'invoke') {
        send({ type: 'reply', id: raw.id, envelope: await rt.invoke(raw.channel, raw.input) });
      } else if (raw.type === 'file') {
        try {
          const file = await rt.services.files.resolve(raw.kind, raw.fileId);
          send({ type: 'reply', id: raw.id, envelope: { ok: true, result: file } });
        } catch (err) {
          send({ type: 'reply', id: raw.id, envelope: { ok: false, error: AppError.from(err).toJSON() } });
        }
      }
    })();
  });
  process.on('disconnect', () => {
    rt.close();
    process.exit(0);
  });
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
