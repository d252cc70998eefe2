#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: torchvision ResNet-50 and the official HyperIQA forward, timed on request.

Written for this repository after the structure of SSL92/hyperIQA's models.py (HyperNet + TargetNet, MIT) and the
HyperIQA paper (Su et al., CVPR 2020, §3): a torchvision ResNet-50 with the LDA branches, the hyper network making
each image's target-network weights, and the target network run as grouped 1x1 convolutions, as the official code does.
Weights are random (only speed is measured), unless --check-fixture loads a state dict to prove the forward is right.

Protocol (one JSON object per line): the bench writes {"model": "resnet50"|"hyperiqa" (or either with "-train": Adam
training steps), "batch": B, "seconds": S} to
stdin and reads back {"model", "batch", "crops", "seconds", "crops_per_s", "cpu_seconds"} (cpu_seconds, inference
only: this process's CPU time over the timed runs, all threads, spinning included); so it can interleave its own runs with
these in one process lifetime. An empty line or EOF ends it. The first line written is {"ready": ..., "torch": ...}.
"""
import argparse
import json
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class Backbone(nn.Module):
    """torchvision ResNet-50 with HyperIQA's local distortion aware (LDA) branches (official ResNetBackbone)."""

    def __init__(self, lda_out=16, target_in=224):
        super().__init__()
        r = torchvision.models.resnet50()
        self.conv1, self.bn1, self.relu, self.maxpool = r.conv1, r.bn1, r.relu, r.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = r.layer1, r.layer2, r.layer3, r.layer4
        self.lda1_pool = nn.Sequential(nn.Conv2d(256, 16, 1, bias=False), nn.AvgPool2d(7, 7))
        self.lda1_fc = nn.Linear(16 * 64, lda_out)
        self.lda2_pool = nn.Sequential(nn.Conv2d(512, 32, 1, bias=False), nn.AvgPool2d(7, 7))
        self.lda2_fc = nn.Linear(32 * 16, lda_out)
        self.lda3_pool = nn.Sequential(nn.Conv2d(1024, 64, 1, bias=False), nn.AvgPool2d(7, 7))
        self.lda3_fc = nn.Linear(64 * 4, lda_out)
        self.lda4_pool = nn.AvgPool2d(7, 7)
        self.lda4_fc = nn.Linear(2048, target_in - lda_out * 3)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        lda_1 = self.lda1_fc(self.lda1_pool(x).view(x.size(0), -1))
        x = self.layer2(x)
        lda_2 = self.lda2_fc(self.lda2_pool(x).view(x.size(0), -1))
        x = self.layer3(x)
        lda_3 = self.lda3_fc(self.lda3_pool(x).view(x.size(0), -1))
        x = self.layer4(x)
        lda_4 = self.lda4_fc(self.lda4_pool(x).view(x.size(0), -1))
        return {'hyper_in_feat': x, 'target_in_vec': torch.cat((lda_1, lda_2, lda_3, lda_4), 1)}


class HyperNet(nn.Module):
    """HyperNet(16, 112, 224, 112, 56, 28, 14, 7): the target network's weights and biases for each image (eq. 3)."""

    def __init__(self, lda_out=16, hyper_in=112, target_in=224, f=(112, 56, 28, 14), feature_size=7):
        super().__init__()
        self.hyper_in, self.target_in, self.f, self.fs = hyper_in, target_in, f, feature_size
        self.res = Backbone(lda_out, target_in)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.conv1 = nn.Sequential(
            nn.Conv2d(2048, 1024, 1), nn.ReLU(inplace=True),
            nn.Conv2d(1024, 512, 1), nn.ReLU(inplace=True),
            nn.Conv2d(512, hyper_in, 1), nn.ReLU(inplace=True))
        sizes = (target_in,) + tuple(f)
        for i in range(4):
            setattr(self, f'fc{i + 1}w_conv', nn.Conv2d(hyper_in, sizes[i] * sizes[i + 1] // feature_size ** 2, 3, padding=1))
            setattr(self, f'fc{i + 1}b_fc', nn.Linear(hyper_in, sizes[i + 1]))
        self.fc5w_fc = nn.Linear(hyper_in, f[3])
        self.fc5b_fc = nn.Linear(hyper_in, 1)

    def forward(self, img):
        res = self.res(img)
        out = {'target_in_vec': res['target_in_vec'].view(-1, self.target_in, 1, 1)}
        h = self.conv1(res['hyper_in_feat']).view(-1, self.hyper_in, self.fs, self.fs)
        pooled = self.pool(h).view(h.size(0), -1)
        sizes = (self.target_in,) + tuple(self.f)
        for i in range(4):
            out[f'target_fc{i + 1}w'] = getattr(self, f'fc{i + 1}w_conv')(h).view(-1, sizes[i + 1], sizes[i], 1, 1)
            out[f'target_fc{i + 1}b'] = getattr(self, f'fc{i + 1}b_fc')(pooled).view(-1, sizes[i + 1])
        out['target_fc5w'] = self.fc5w_fc(pooled).view(-1, 1, self.f[3], 1, 1)
        out['target_fc5b'] = self.fc5b_fc(pooled).view(-1, 1)
        return out


def target_fc(x, w, b):
    """One target-network layer for a batch: a grouped 1x1 conv, one group per image (the official TargetFC)."""
    x_re = x.view(-1, x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    w_re = w.view(w.shape[0] * w.shape[1], w.shape[2], w.shape[3], w.shape[4])
    out = F.conv2d(x_re, w_re, b.view(b.shape[0] * b.shape[1]), groups=w.shape[0])
    return out.view(x.shape[0], w.shape[1], x.shape[2], x.shape[3])


def target_net(p):
    """TargetNet (eq. 2): four FC + sigmoid, then a linear FC; one score per image."""
    q = p['target_in_vec']
    for i in range(1, 5):
        q = torch.sigmoid(target_fc(q, p[f'target_fc{i}w'], p[f'target_fc{i}b']))
    return target_fc(q, p['target_fc5w'], p['target_fc5b']).view(-1)


def read_safetensors(path):
    with open(path, 'rb') as fh:
        n = struct.unpack('<Q', fh.read(8))[0]
        header = json.loads(fh.read(n))
        blob = fh.read()
    dtypes = {'F32': torch.float32, 'F16': torch.float16, 'I64': torch.int64}
    out = {}
    for name, t in header.items():
        if name == '__metadata__':
            continue
        a, b = t['data_offsets']
        out[name] = torch.frombuffer(bytearray(blob[a:b]), dtype=dtypes[t['dtype']]).reshape(t['shape']).clone()
    return out


def check_fixture(folder):
    """Loads the parity fixture's weights and prints this forward's scores beside expected.json (proof of the port)."""
    import os
    import numpy as np
    from PIL import Image
    net = HyperNet().eval()
    sd = {k: v.float() if v.is_floating_point() else v for k, v in read_safetensors(os.path.join(folder, 'weights.safetensors')).items()}
    net.load_state_dict(sd)
    expected = json.load(open(os.path.join(folder, 'expected.json')))
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    worst = 0.0
    for name, want in sorted(expected.items()):
        x = torch.from_numpy(np.asarray(Image.open(os.path.join(folder, name)).convert('RGB'), dtype=np.float32) / 255).permute(2, 0, 1)
        with torch.no_grad():
            got = float(target_net(net(((x - mean) / std).unsqueeze(0)))[0])
        worst = max(worst, abs(got - want))
        print(json.dumps({'image': name, 'score': got, 'expected': want}))
    print(json.dumps({'max_abs_diff': worst}))


def train_rate(model, batch, budget):
    """Adam training steps (train mode, L1 loss to random scores) of a fresh network, after one warm-up step."""
    net = torchvision.models.resnet50() if model == 'resnet50' else HyperNet()
    net.train()
    forward = (lambda x: net(x).mean(1)) if model == 'resnet50' else (lambda x: target_net(net(x)))
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    x, y = torch.randn(batch, 3, 224, 224), torch.rand(batch)

    def step():
        opt.zero_grad()
        loss = F.l1_loss(forward(x), y)
        loss.backward()
        opt.step()

    step()
    crops, t0 = 0, time.perf_counter()
    while True:
        step()
        crops += batch
        if time.perf_counter() - t0 >= budget:
            break
    return crops, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--check-fixture', default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.check_fixture:
        check_fixture(args.check_fixture)
        return
    nets = {'resnet50': torchvision.models.resnet50().eval(), 'hyperiqa': HyperNet().eval()}
    forward = {'resnet50': lambda x: nets['resnet50'](x), 'hyperiqa': lambda x: target_net(nets['hyperiqa'](x))}
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        req = json.loads(line)
        model, batch, budget = req['model'], int(req['batch']), float(req['seconds'])
        x = torch.randn(batch, 3, 224, 224)
        if model.endswith('-train'):
            crops, secs = train_rate(model[:-len('-train')], batch, budget)
            print(json.dumps({'model': model, 'batch': batch, 'crops': crops, 'seconds': secs, 'crops_per_s': crops / secs}), flush=True)
            continue
        with torch.no_grad():
            forward[model](x)  # warm-up
            crops, t0, cpu0 = 0, time.perf_counter(), time.process_time()
            while True:
                forward[model](x)
                crops += batch
                if time.perf_counter() - t0 >= budget:
                    break
        secs, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        print(json.dumps({'model': model, 'batch': batch, 'crops': crops, 'seconds': secs, 'crops_per_s': crops / secs, 'cpu_seconds': cpu}), flush=True)


if __name__ == '__main__':
    main()
