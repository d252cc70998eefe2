// Loaded checkpoints shared by the services that score one image at a time (Inspect's maps, Across runs): kept by folder, least recently used dropped, one computation at a time.
import { AppError } from '../../../src-shared/api/errors';
import { loadScorer, type Scorer } from './scorer';

export interface ScorerCache {
  /** Runs `fn` with the checkpoint's scorer (loaded once, then kept), after every earlier call has finished. */
  use<T>(checkpoint: string, fn: (scorer: Scorer) => Promise<T>): Promise<T>;
  /** Checkpoint folders loaded (or loading) now, least recently used first. */
  loaded(): string[];
  /** Frees every scorer; later calls fail. */
  close(): void;
}

export function createScorerCache(kept: number, load: (checkpoint: string) => Promise<Scorer> = (checkpoint) => loadScorer({ checkpoint })): ScorerCache {
  const scorers = new Map<string, Promise<Scorer>>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const release = (p: Promise<Scorer>) => void p.then((s) => s.dispose(), () => undefined);

  function scorerFor(checkpoint: string): Promise<Scorer> {
    const known = scorers.get(checkpoint);
    if (known) {
      scorers.delete(checkpoint);
      scorers.set(checkpoint, known);
      return known;
    }
    const scorer = load(checkpoint);
    scorers.set(checkpoint, scorer);
    scorer.catch(() => {
      if (scorers.get(checkpoint) === scorer) scorers.delete(checkpoint);
    });
    // Only between computations (inside the queue), so no scorer is disposed while it is in use.
    while (scorers.size > kept) {
      const [oldest, p] = scorers.entries().next().value!;
      scorers.delete(oldest);
      release(p);
    }
    return scorer;
  }

  return {
    use(checkpoint, fn) {
      const next = queue.then(async () => {
        if (closed) throw new AppError('cancelled', 'The app is shutting down');
        return fn(await scorerFor(checkpoint));
      });
      queue = next.catch(() => undefined);
      return next;
    },
    loaded: () => [...scorers.keys()],
    close() {
      closed = true;
      for (const p of scorers.values()) release(p);
      scorers.clear();
    },
  };
}
