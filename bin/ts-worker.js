// Worker-thread bootstrap when running from TypeScript sources: registers tsx, then loads the worker module.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
