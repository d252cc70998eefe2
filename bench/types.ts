// One benchmark figure.
export interface BenchRow {
  name: string;
  n: number;
  rate: number;
  unit: string;
  seconds: number;
  peakRssMb: number;
  /** Inference rows: what ran it and how (the JSON keeps them; the table shows them in the name). */
  engine?: string;
  provider?: string;
  model?: string;
  batch?: number;
  /** Ours over PyTorch's crops/s measured in turns in the same run. */
  ratio?: number;
  secondsPerImage?: number;
}

/** Runs `fn`, sampling resident memory every 50 ms; returns seconds taken and the peak RSS in MB. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds: (performance.now() - t0) / 1000, peakRssMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}
