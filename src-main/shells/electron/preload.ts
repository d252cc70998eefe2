// Sandboxed preload: exposes one function per contract channel, a listener for known events and the folder dialog, nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { INVOKE_CHANNELS, PICK_FOLDER_CHANNEL, isEventChannel } from '../../../src-shared/api/channels';

const invoke = Object.fromEntries(
  INVOKE_CHANNELS.map((channel) => [channel, (input: unknown) => ipcRenderer.invoke(channel, input)]),
);

contextBridge.exposeInMainWorld('iqa', {
  invoke,
  pickFolder: (defaultPath?: unknown): Promise<string | null> => ipcRenderer.invoke(PICK_FOLDER_CHANNEL, typeof defaultPath === 'string' ? defaultPath : undefined),
  on(event: string, callback: (payload: unknown) => void): () => void {
    if (!isEventChannel(event)) throw new Error(`Unknown event: ${event}`);
    const listener = (_e: IpcRendererEvent, payload: unknown) => callback(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  },
});
