// Undo and redo of culling changes (stars, flags, colour labels), Lightroom's Ctrl/Cmd+Z and Shift+Ctrl/Cmd+Z; pure and bounded.
import type { CullChange, CullState } from './culling';

export interface HistoryEntry {
  imageId: number;
  name: string;
  /** The fields the change touched, as they were and as they became. */
  before: CullChange;
  after: CullChange;
}

/** The fields of `state` that `change` touches. */
export function touched(state: CullState, change: CullChange): CullChange {
  const out: CullChange = {};
  for (const k of Object.keys(change) as (keyof CullState)[]) (out as Record<string, unknown>)[k] = state[k];
  return out;
}

export class CullHistory {
  private done: HistoryEntry[] = [];
  private undone: HistoryEntry[] = [];
  constructor(readonly limit = 500) {}

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  get size(): number {
    return this.done.length;
  }

  /** A new change: it can be undone, and what was undone can no longer be redone. */
  push(entry: HistoryEntry): void {
    this.done.push(entry);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }

  /** The entry to undo (apply its `before`), moved to the redo stack. */
  undo(): HistoryEntry | null {
    const e = this.done.pop();
    if (e) this.undone.push(e);
    return e ?? null;
  }

  /** The entry to redo (apply its `after`), moved back to the undo stack. */
  redo(): HistoryEntry | null {
    const e = this.undone.pop();
    if (e) this.done.push(e);
    return e ?? null;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
  }
}
