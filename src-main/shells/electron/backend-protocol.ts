// Messages between the Electron main process and its backend child process.
import type { Envelope } from '../../../src-shared/api/errors';

export type HostRequest =
  | { id: number; type: 'invoke'; channel: string; input: unknown }
  | { id: number; type: 'file'; kind: string; fileId: string };

export type HostMessage =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'reply'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; event: string; payload: unknown };
