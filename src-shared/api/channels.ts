// Channel and event names of the API contract, free of dependencies so the Electron preload can bundle it alone.

export const INVOKE_CHANNELS = [
  'app:info',
  'datasets:list',
  'datasets:get',
  'datasets:formats',
  'datasets:import',
  'datasets:delete',
  'datasets:facets',
  'splits:list',
  'splits:create',
  'images:list',
  'images:get',
  'images:siblings',
  'images:maps',
  'scores:start',
  'scores:list',
  'runs:list',
  'runs:get',
  'runs:start',
  'runs:cancel',
  'runs:resume',
  'runs:predictions',
  'runs:stats',
  'runs:compareExperiments',
  'models:list',
  'ttl:start',
  'ttl:auxiliary',
  'studies:list',
  'studies:get',
  'studies:create',
  'studies:addRater',
  'studies:setStatus',
  'studies:results',
  'studies:publish',
  'studies:export',
  'rate:session',
  'rate:submit',
  'rate:undo',
  'rate:join',
  'rate:crowd',
  'settings:get',
  'settings:set',
  'jobs:list',
  'jobs:cancel',
  'library:list',
  'library:stats',
  'library:rate',
  'library:sample',
  'library:calibrate',
  'library:calibration',
  'library:applyCalibration',
  'library:clearPredictions',
  'library:writeXmp',
  'library:readXmp',
  'library:exportCsv',
  'runs:evaluate',
  'runs:evaluations',
  'runs:scoreImage',
  'images:neighbours',
  'runs:startSeries',
  'folders:browse',
  'library:rescan',
  'library:sharpnessMap',
  'library:group',
  'library:xmpBackups',
  'library:settleBackups',
] as const;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];

/** The Electron shell's own IPC channel for the native folder dialog (not a service: there is no dialog in serve mode). */
export const PICK_FOLDER_CHANNEL = 'shell:pickFolder';

export const EVENT_CHANNELS = ['jobs:progress', 'datasets:changed', 'runs:progress', 'studies:progress'] as const;

/** Channels a rater link may call without the server's access token (the rater token in the input is checked instead). */
export const RATER_CHANNELS: readonly InvokeChannel[] = ['rate:session', 'rate:submit', 'rate:undo', 'rate:join', 'rate:crowd'];
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (EVENT_CHANNELS as readonly string[]).includes(value);
}
