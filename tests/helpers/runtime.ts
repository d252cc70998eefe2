// A real runtime (store on disk, demo seeded, services) in a temp folder, for service and shell tests.
import { openRuntime, type Runtime } from '../../src-main/runtime';
import { tempDir } from './temp';

export async function testRuntime(opts: { seedDemo?: boolean } = {}): Promise<Runtime> {
  return openRuntime({ dataDir: tempDir('iqa-rt-'), shell: 'serve', backend: 'cpu', seedDemo: opts.seedDemo ?? true });
}
