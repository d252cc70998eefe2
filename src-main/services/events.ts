// A typed in-process event bus; the shells forward its events to the renderer (IPC or WebSocket).
import type { EventChannel } from '../../src-shared/api/channels';
import type { EventOf } from '../../src-shared/api/contract';

export type EventListener = <E extends EventChannel>(channel: E, payload: EventOf<E>) => void;

export function createEventBus() {
  const listeners = new Set<EventListener>();
  return {
    emit<E extends EventChannel>(channel: E, payload: EventOf<E>): void {
      for (const l of listeners) l(channel, payload);
    },
    /** Listens to every event; returns the unsubscribe function. */
    subscribe(listener: EventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
export type EventBus = ReturnType<typeof createEventBus>;
