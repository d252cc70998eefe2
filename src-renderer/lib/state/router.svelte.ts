// Hash-based navigation between the app's screens.
export const SCREENS = [
  { id: 'library', label: 'Library', hint: 'Your photos: score, sort, cull' },
  { id: 'datasets', label: 'Datasets', hint: 'IQA datasets, labels and splits' },
  { id: 'annotate', label: 'Annotate', hint: 'Subjective studies' },
  { id: 'train', label: 'Train', hint: 'Train and evaluate models' },
  { id: 'runs', label: 'Runs / Compare', hint: 'Compare experiments' },
  { id: 'inspect', label: 'Inspect', hint: 'Distorted, reference and discrepancy views' },
  { id: 'about', label: 'About', hint: 'Versions, backend, database' },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];

function parseHash(): { screen: ScreenId; params: URLSearchParams } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const screen = SCREENS.find((s) => s.id === path)?.id ?? 'datasets';
  return { screen, params: new URLSearchParams(query) };
}

/** A rater link, `#/rate/<token>`: the rating screen alone, without the app around it. */
function parseRateToken(): string | null {
  const m = /^#\/rate\/([A-Za-z0-9_-]{16,200})$/.exec(location.hash);
  return m ? m[1]! : null;
}

/** A crowd study's join link, `#/join/<token>` (the platform may append `?PROLIFIC_PID=…` or `?workerId=…`). */
function parseJoinToken(): string | null {
  const m = /^#\/join\/([A-Za-z0-9_-]{16,200})(\?.*)?$/.exec(location.hash);
  return m ? m[1]! : null;
}

class Router {
  screen = $state<ScreenId>('datasets');
  params = $state.raw(new URLSearchParams());
  rateToken = $state<string | null>(parseRateToken());
  joinToken = $state<string | null>(parseJoinToken());

  constructor() {
    this.#read();
    window.addEventListener('hashchange', () => this.#read());
  }

  #read(): void {
    const { screen, params } = parseHash();
    this.screen = screen;
    this.params = params;
    this.rateToken = parseRateToken();
    this.joinToken = parseJoinToken();
  }

  go(screen: ScreenId, params: Record<string, string | number> = {}): void {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
    location.hash = `#/${screen}${query ? `?${query}` : ''}`;
  }
}

export const router = new Router();
