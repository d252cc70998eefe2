// The ordered list of every migration; append new ones, never edit a landed one.
import { migration0001 } from './0001-initial';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration0001];
export type { Migration };
