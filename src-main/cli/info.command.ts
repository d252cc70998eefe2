// `iqa info`: versions, tensor backend, inference engine, database path.
import type { AppInfo } from '../../src-shared/api/schemas';
import type { BackendChoice } from '../iqa/backend';
import { openRuntime } from '../runtime';

/** 'onnxruntime 1.31.1 · cpu · 2 threads', or 'tfjs (the tensor backend)'. */
export function inferenceLine(i: AppInfo['inference']): string {
  if (!i) return 'none';
  return i.engine === 'onnxruntime' ? `onnxruntime ${i.version ?? ''} · ${i.provider} · ${i.threads} threads` : 'tfjs (the tensor backend)';
}

export async function infoCommand(opts: { json: boolean; dataDir?: string; backend: BackendChoice }) {
  const rt = await openRuntime({ dataDir: opts.dataDir, shell: 'cli', backend: opts.backend, seedDemo: false });
  try {
    const envelope = await rt.invoke('app:info', {});
    if (!envelope.ok) throw new Error(envelope.error.message);
    const info = envelope.result as AppInfo;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(info)}\n`);
      return;
    }
    const b = info.backend;
    const lines = [
      `${info.app} ${info.version} (${info.platform}, node ${info.node})`,
      `database      ${info.databasePath} (schema v${info.schemaVersion})`,
      `data folder   ${info.dataDir}`,
      `tensor        ${b ? `${b.name} (tfjs ${b.tfjsVersion}${b.simd ? ', SIMD' : ''})` : 'none'}`,
      ...(b ? b.tried.filter((t) => !t.ok).map((t) => `  skipped     ${t.name}: ${t.reason}`) : []),
      `inference     ${inferenceLine(info.inference)}`,
      ...(info.inference ? info.inference.tried.filter((t) => !t.ok).map((t) => `  skipped     ${t.name}: ${t.reason}`) : []),
      `libraries     ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rt.close();
  }
}
