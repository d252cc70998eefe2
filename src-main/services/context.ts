// What every service is given: the store, the data paths, the event bus, and facts about the running shell.
import type { BackendInfo, InferenceInfo } from '../../src-shared/api/schemas';
import type { DataPaths } from '../app/paths';
import type { Store } from '../store/store';
import type { EventBus } from './events';
import type { Jobs } from './jobs';

export interface ServiceContext {
  store: Store;
  paths: DataPaths;
  events: EventBus;
  shell: 'electron' | 'serve' | 'cli';
  backend: () => BackendInfo | null;
  /** The inference engine scoring runs on (null until started). */
  inference: () => InferenceInfo | null;
  jobs: Jobs;
  /**
   * Folders a client may import from; null allows any folder (the desktop app, loopback serve mode). A LAN server
   * sets them with --allow-root so a rater's browser cannot make it read arbitrary files.
   */
  importRoots: string[] | null;
}
