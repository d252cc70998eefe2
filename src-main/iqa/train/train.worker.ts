// Training worker thread: builds the model, trains with progress messages, checkpoints every epoch, stops on cancel.
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend';
import { getModel } from '../registry';
import { assignMatchingWeights, assignWeights, loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { FromWorker, ToWorker, TrainJob } from './protocol';
import { TrainingCancelled, train } from './trainer';

const port = parentPort;
if (!port) throw new Error('train.worker must run in a worker thread');
const send = (msg: FromWorker) => port.postMessage(msg);
const controller = new AbortController();

async function run(job: TrainJob): Promise<void> {
  const backend = await initBackend(job.backend);
  send({ type: 'ready', backend: backend.name });
  const spec = getModel(job.modelId);
  const config = spec.configSchema.parse(job.modelConfig);
  const model = spec.create(config, job.hyper.seed);
  let startEpoch = 1;
  let optimizerState: Awaited<ReturnType<typeof loadCheckpoint>>['optimizer'] | null = null;
  if (!job.resumeFrom && job.initFrom) {
    const init = await loadCheckpoint(job.initFrom);
    if (init.meta.modelId !== job.modelId) throw new Error(`cannot start a ${job.modelId} run from a ${init.meta.modelId} checkpoint`);
    try {
      if (spec.initFrom === 'partial') {
        const { loaded, fresh } = assignMatchingWeights(model, init.weights);
        send({ type: 'note', message: `took ${loaded.length} tensors from ${job.initFrom}; freshly initialised: ${fresh.join(', ') || 'none'}` });
      } else assignWeights(model, init.weights);
    } finally {
      tf.dispose(Object.values(init.weights));
      for (const list of init.optimizer.values()) tf.dispose(list.map((t) => t.tensor));
    }
  } else if (!job.resumeFrom) await spec.prepare?.(model, config);
  if (job.resumeFrom) {
    const ckpt = await loadCheckpoint(job.resumeFrom);
    assignWeights(model, ckpt.weights);
    tf.dispose(Object.values(ckpt.weights));
    startEpoch = ckpt.meta.epoch + 1;
    optimizerState = ckpt.optimizer;
  }
  try {
    await (spec.trainLoop ?? train)({
      model,
      protocol: spec.input(config),
      hyper: job.hyper,
      train: job.train,
      test: job.test,
      startEpoch,
      signal: controller.signal,
      // Opt-in: two threads pay on an idle multi-core machine, not on a loaded one (docs/training-speed.md).
      ...(process.env.IQA_TRAIN_THREADS === '2' ? { replica: { modelId: job.modelId, config } } : {}),
      restoreOptimizers: async (optimizers) => {
        if (!optimizerState) return;
        for (const g of optimizers.groups) {
          const saved = optimizerState.get(g.name);
          if (saved) await g.optimizer.setWeights(saved);
        }
      },
      onStep: (info) => send({ type: 'step', info }),
      onEpoch: async (result, m, optimizers) => {
        const ckpt = await saveCheckpoint(job.checkpointDir, { modelId: job.modelId, modelConfig: config, epoch: result.epoch, metrics: result.metrics, labels: job.labels }, m, optimizers);
        send({ type: 'epoch', result, checkpoint: ckpt.path });
      },
    });
    send({ type: 'done' });
  } catch (err) {
    if (err instanceof TrainingCancelled) send({ type: 'cancelled', epoch: err.epoch });
    else throw err;
  } finally {
    model.dispose();
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') controller.abort();
  else if (msg.type === 'start') {
    run(msg.job).then(
      () => process.exit(0),
      (err: unknown) => {
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  }
});
