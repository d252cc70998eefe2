// Group commit: writes that arrive together run in one transaction (one fsync), each in its own savepoint, and every caller is answered only after the commit.
import type { Store } from '../store/store';

const MAX_WAIT_MS = 20;

interface Pending {
  write: () => void;
  answer: () => unknown;
  ok: (value: unknown) => void;
  fail: (err: unknown) => void;
}

/**
 * Queues writes until the event loop has read the requests that came in meanwhile (setImmediate, or as long as the
 * last commit took when commits come back to back), then commits them in one transaction. A write that throws rolls
 * back only its own savepoint and fails only its caller. Answers are computed after the commit, so no caller sees an
 * acknowledgement for data that is not yet on disk.
 */
export function createWriteBatcher(store: Pick<Store, 'transaction'>) {
  let queue: Pending[] = [];
  let scheduled = false;
  /** When the last commit ended and how long it took (its fsync blocks the event loop). */
  let lastEnd = -Infinity;
  let lastTook = 0;

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    const failed = new Map<Pending, unknown>();
    const t0 = performance.now();
    try {
      store.transaction(() => {
        for (const p of batch) {
          try {
            store.transaction(p.write);
          } catch (err) {
            failed.set(p, err);
          }
        }
      });
    } catch (err) {
      for (const p of batch) p.fail(err);
      return;
    } finally {
      lastEnd = performance.now();
      lastTook = lastEnd - t0;
    }
    for (const p of batch) {
      if (failed.has(p)) p.fail(failed.get(p));
      else {
        try {
          p.ok(p.answer());
        } catch (err) {
          p.fail(err);
        }
      }
    }
  }

  return {
    /** Runs `write` in the next group commit and resolves with `answer()` once that commit is durable. */
    submit<T>(write: () => void, answer: () => T): Promise<T> {
      return new Promise<T>((ok, fail) => {
        queue.push({ write, answer, ok: ok as (v: unknown) => void, fail });
        if (!scheduled) {
          scheduled = true;
          // The next commit waits as long as the last one took (at most MAX_WAIT_MS): under load, batches grow instead
          // of fsyncs taking the event loop; when idle, a write commits at once.
          const wait = Math.min(MAX_WAIT_MS, lastEnd + lastTook - performance.now());
          if (wait >= 1) setTimeout(flush, wait);
          else setImmediate(flush);
        }
      });
    },
  };
}
