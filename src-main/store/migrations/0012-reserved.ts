// Migration 12: reserved for the "research" branch's migration (issue 24); a no-op until it lands, then this file goes.
import type { Migration } from './types';

export const migration0012: Migration = { version: 12, name: 'reserved', up: () => undefined };
