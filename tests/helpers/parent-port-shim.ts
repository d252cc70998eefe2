// Stands in for Electron's utilityProcess in tests: gives this Node child a process.parentPort (Electron's API shape) over its IPC channel, then runs the back-end host.
import { EventEmitter } from 'node:events';

const port = Object.assign(new EventEmitter(), { postMessage: (message: unknown) => void process.send?.(message) });
process.on('message', (data) => port.emit('message', { data }));
// Electron ends a utility process with its parent; here the IPC channel closing does.
process.on('disconnect', () => process.exit(0));
(process as unknown as { parentPort: unknown }).parentPort = port;
await import('../../src-main/shells/electron/backend-host.ts');
