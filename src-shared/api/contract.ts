// THE API contract: every request's input schema and result type, and every event's payload, for both shells.
import { z } from 'zod';
import type { EventChannel, InvokeChannel } from './channels';
import {
  AppInfo,
  DatasetSummary,
  Id,
  ImageItem,
  ImagePage,
  ImageSort,
  JobProgress,
  RunSummary,
  SettingKey,
} from './schemas';

const NoInput = z.object({}).strict();

export const contract = {
  'app:info': { input: NoInput, output: AppInfo },
  'datasets:list': { input: NoInput, output: z.array(DatasetSummary) },
  'datasets:get': { input: z.object({ id: Id }).strict(), output: DatasetSummary },
  'images:list': {
    input: z
      .object({
        datasetId: Id,
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(1000).default(200),
        sort: ImageSort.default('name'),
        descending: z.boolean().default(false),
        distortion: z.string().max(100).optional(),
        search: z.string().max(200).optional(),
      })
      .strict(),
    output: ImagePage,
  },
  'images:get': { input: z.object({ id: Id }).strict(), output: ImageItem },
  'runs:list': { input: NoInput, output: z.array(RunSummary) },
  'settings:get': { input: z.object({ key: SettingKey }).strict(), output: z.unknown() },
  'settings:set': {
    input: z.object({ key: SettingKey, value: z.json() }).strict(),
    output: z.object({ key: SettingKey }),
  },
} as const satisfies Record<InvokeChannel, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'jobs:progress': JobProgress,
  'datasets:changed': z.object({ datasetId: Id.nullable() }),
} as const satisfies Record<EventChannel, z.ZodType>;

export type Contract = typeof contract;
/** What a caller may send (defaults optional). */
export type InputOf<C extends InvokeChannel> = z.input<Contract[C]['input']>;
/** What a handler receives, after validation and defaults. */
export type ParsedInputOf<C extends InvokeChannel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends InvokeChannel> = z.output<Contract[C]['output']>;
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]>;

export type Handlers = {
  [C in InvokeChannel]: (input: ParsedInputOf<C>) => OutputOf<C> | Promise<OutputOf<C>>;
};
