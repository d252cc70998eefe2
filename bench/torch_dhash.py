"""PyTorch reference for bench/group.bench.ts: dHash (9x8 grey, area-averaged) of every JPEG in a folder with
torchvision's decoder, EXIF capture times with Pillow, and the same time-gap + Hamming grouping. Prints JSON."""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
import torchvision.io as io
from PIL import Image


def capture_time(path):
    exif = Image.open(path).getexif().get_ifd(0x8769)
    dt, sub = exif.get(36867), exif.get(37521, '0')
    if not dt:
        return None
    d, t = dt.split(' ')
    h, m, s = (int(x) for x in t.split(':'))
    return int(d.replace(':', '')) * 86400 + h * 3600 + m * 60 + s + float('0.' + str(sub))


def dhash(path):
    img = io.decode_jpeg(io.read_file(path), mode=io.ImageReadMode.GRAY).float().unsqueeze(0)
    small = F.interpolate(img, size=(8, 9), mode='area')[0, 0]
    bits = (small[:, :-1] > small[:, 1:]).flatten().tolist()
    return sum(1 << (63 - i) for i, b in enumerate(bits) if b)


def main():
    folder, gap, max_dist = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.lower().endswith('.jpg'))
    t0 = time.perf_counter()
    photos = sorted(((capture_time(f), dhash(f), f) for f in files), key=lambda p: (p[0] is None, p[0] or 0, p[2]))
    groups, run = [], []
    for p in photos:
        if run:
            a = run[-1]
            same = bin(a[1] ^ p[1]).count('1') <= max_dist and (a[0] is None or p[0] is None or abs(p[0] - a[0]) <= gap)
            if not same:
                if len(run) > 1:
                    groups.append(run)
                run = []
        run.append(p)
    if len(run) > 1:
        groups.append(run)
    seconds = time.perf_counter() - t0
    print(json.dumps({'seconds': seconds, 'groups': len(groups), 'grouped': sum(len(g) for g in groups), 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
