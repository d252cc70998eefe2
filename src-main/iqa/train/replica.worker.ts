// Gradient replica thread: its own wasm backend and copy of the model; computes the gradient of its share of each step.
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend';
import { getModel } from '../registry';
import { accumulateGradients } from './accumulate';
import type { IqaModel } from '../models/model';
import type { FromReplica, ToReplica } from './replica';

const port = parentPort;
if (!port) throw new Error('replica.worker must run in a worker thread');
const send = (msg: FromReplica) => port.postMessage(msg);

let state: { model: IqaModel; weights: tf.Variable[]; trainable: tf.Variable[]; weightBuf: Float32Array; gradBuf: Float32Array } | null = null;

port.on('message', (msg: ToReplica) => {
  void (async () => {
    try {
      if (msg.type === 'init') {
        await initBackend(msg.backend);
        const spec = getModel(msg.modelId);
        const model = spec.create(spec.configSchema.parse(msg.config), msg.seed);
        const byName = model.weights();
        const pick = (names: string[]) =>
          names.map((n) => {
            const v = byName.get(n);
            if (!v) throw new Error(`replica: the model has no weight ${n}`);
            return v;
          });
        state = { model, weights: pick(msg.weightNames), trainable: pick(msg.trainableNames), weightBuf: new Float32Array(msg.weightBuf), gradBuf: new Float32Array(msg.gradBuf) };
        send({ type: 'ready' });
        return;
      }
      if (msg.type === 'close') {
        port.close();
        return;
      }
      if (!state) throw new Error('replica: step before init');
      const { model, weights, trainable, weightBuf, gradBuf } = state;
      let off = 0;
      for (const v of weights) {
        const t = tf.tensor(weightBuf.subarray(off, off + v.size), v.shape);
        v.assign(t);
        t.dispose();
        off += v.size;
      }
      const x = tf.tensor4d(msg.x, msg.shape);
      const y = tf.tensor1d(msg.y);
      // Weight decay is the main side's (added once per step).
      const { loss, grads } = accumulateGradients(model, trainable, x, y, msg.micro, 0, msg.total);
      tf.dispose([x, y]);
      off = 0;
      for (const v of trainable) {
        const g = grads[v.name];
        if (g) gradBuf.set(g.dataSync() as Float32Array, off);
        else gradBuf.fill(0, off, off + v.size);
        off += v.size;
      }
      tf.dispose(Object.values(grads));
      send({ type: 'done', loss });
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
