// Sandboxed preload: exposes one function per contract channel and a listener for known events, nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, isEventChannel } from '../../../src-shared/api/channels';

const invoke = Object.fromEntries(
  INVOKE_CHANNELS.map((channel) => [channel, (input: unknown) => ipcRenderer.invoke(channel, input)]),
);

contextBridge.exposeInMainWorld('iqa', {
  invoke,
  events: [...EVENT_CHANNELS],
  on(event: string, callback: (payload: unknown) => void): () => void {
    if (!isEventChannel(event)) throw new Error(`Unknown event: ${event}`);
    const listener = (_e: IpcRendererEvent, payload: unknown) => callback(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  },
});
