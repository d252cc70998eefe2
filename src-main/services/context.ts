// What every service is given: the store, the data paths, the event bus, and facts about the running shell.
import type { BackendInfo } from '../../src-shared/api/schemas';
import type { DataPaths } from '../app/paths';
import type { Store } from '../store/store';
import type { EventBus } from './events';

export interface ServiceContext {
  store: Store;
  paths: DataPaths;
  events: EventBus;
  shell: 'electron' | 'serve' | 'cli';
  backend: () => BackendInfo | null;
}
