#!/usr/bin/env python3
"""Golden values for src-main/imaging/fr-metrics.ts: PSNR, SSIM and MS-SSIM on seeded synthetic image pairs.

Independent of the TypeScript code: SSIM uses a full 2-D window with scipy.signal.correlate2d (no separable
filtering), and the MS-SSIM low-pass is written with numpy padding and checked against scipy.ndimage.

SSIM follows ssim_index.m (Wang et al. 2004, IEEE TIP); MS-SSIM follows msssim.m (Wang, Simoncelli,
Bovik 2003, Asilomar). Run from the repository root:  python3 tests/golden/fr-metrics/make_golden.py
"""
import base64
import json
import os

import numpy as np
from scipy import ndimage, signal

K1, K2, L = 0.01, 0.03, 255.0
MS_WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
HERE = os.path.dirname(os.path.abspath(__file__))


def fspecial_gaussian(size=11, sigma=1.5):
    r = (size - 1) / 2
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    h = np.exp(-(xx**2 + yy**2) / (2 * sigma**2))
    h[h < np.finfo(float).eps * h.max()] = 0
    return h / h.sum()


WINDOW = fspecial_gaussian()


def rgb2gray(rgb):
    rgb = rgb.astype(np.float64)
    return 0.2989 * rgb[..., 0] + 0.5870 * rgb[..., 1] + 0.1140 * rgb[..., 2]


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim_index_new(x, y):
    """Returns (mean SSIM, mean contrast-structure), 'valid' filtering like filter2(window, img, 'valid')."""
    c1, c2 = (K1 * L) ** 2, (K2 * L) ** 2
    f = lambda im: signal.correlate2d(im, WINDOW, mode="valid")
    mu1, mu2 = f(x), f(y)
    s11 = f(x * x) - mu1 * mu1
    s22 = f(y * y) - mu2 * mu2
    s12 = f(x * y) - mu1 * mu2
    cs_map = (2 * s12 + c2) / (s11 + s22 + c2)
    ssim_map = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1**2 + mu2**2 + c1) * (s11 + s22 + c2))
    return float(ssim_map.mean()), float(cs_map.mean())


def ssim(a, b):
    return ssim_index_new(rgb2gray(a), rgb2gray(b))[0]


def lowpass_symmetric(im):
    """imfilter(im, ones(2)/4, 'symmetric', 'same'): MATLAB anchors the 2x2 kernel at (1,1), so
    out(i,j) = mean of im(i:i+1, j:j+1), with the image mirrored (edge repeated) past the last row/column."""
    p = np.pad(im, ((0, 1), (0, 1)), mode="symmetric")
    out = (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4
    # Same thing with scipy.ndimage: 'reflect' is MATLAB's 'symmetric'; origin -1 moves the anchor to (0,0).
    alt = ndimage.correlate(im, np.full((2, 2), 0.25), mode="reflect", origin=-1)
    assert np.allclose(out, alt, rtol=0, atol=1e-12)
    return out


def ms_ssim(a, b):
    x, y = rgb2gray(a), rgb2gray(b)
    if min(x.shape) / 2 ** (len(MS_WEIGHTS) - 1) < 11:
        return None
    mssim, mcs = [], []
    for _ in MS_WEIGHTS:
        s, cs = ssim_index_new(x, y)
        mssim.append(s)
        mcs.append(cs)
        x = lowpass_symmetric(x)[::2, ::2]
        y = lowpass_symmetric(y)[::2, ::2]
    return float(np.prod(np.array(mcs[:-1]) ** MS_WEIGHTS[:-1]) * mssim[-1] ** MS_WEIGHTS[-1])


def smooth_scene(rng, h, w):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack(
        [
            40 + 150 * xx / w + 20 * np.sin(yy / 7),
            60 + 120 * yy / h + 25 * np.cos(xx / 9),
            90 + 60 * (xx + yy) / (w + h) + 30 * np.sin((xx - yy) / 11),
        ],
        axis=-1,
    )
    return base + rng.normal(0, 6, size=base.shape)


def to_u8(a):
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def blur(rgb, sigma):
    return np.stack([ndimage.gaussian_filter(rgb[..., c], sigma, mode="nearest") for c in range(3)], axis=-1)


def make_pairs():
    rng = np.random.default_rng(20240611)
    pairs = []

    ref = to_u8(smooth_scene(rng, 48, 64))
    dist = to_u8(ref + rng.normal(0, 12, size=ref.shape))
    pairs.append(("gradient-noise-64x48", "smooth gradient with texture vs the same plus Gaussian noise (sd 12)", ref, dist))

    ref = to_u8(np.clip(smooth_scene(rng, 40, 36), 0, 200))
    dist = ref + np.uint8(25)
    pairs.append(("offset-36x40", "constant +25 on every channel (no clipping)", ref, dist))

    ref = to_u8(smooth_scene(rng, 190, 200) + 30 * (rng.random((190, 200, 1)) > 0.97))
    dist = to_u8(blur(ref.astype(np.float64), 1.2) + rng.normal(0, 5, size=ref.shape))
    pairs.append(("blur-noise-200x190", "textured scene vs Gaussian blur (sigma 1.2) plus noise (sd 5)", ref, dist))

    ref = to_u8(smooth_scene(rng, 177, 181) + rng.normal(0, 15, size=(177, 181, 3)))
    dist = to_u8(0.85 * blur(ref.astype(np.float64), 0.8) + 20 + rng.normal(0, 3, size=ref.shape))
    pairs.append(("odd-177x181", "odd sizes at every scale: contrast reduction, mild blur, offset, noise", ref, dist))
    return pairs


def main():
    cases = []
    for name, note, ref, dist in make_pairs():
        h, w, _ = ref.shape
        cases.append(
            {
                "name": name,
                "note": note,
                "width": w,
                "height": h,
                "ref": base64.b64encode(ref.tobytes()).decode("ascii"),
                "dist": base64.b64encode(dist.tobytes()).decode("ascii"),
                "refLumaMean": float(rgb2gray(ref).mean()),
                "psnr": psnr(ref, dist),
                "ssim": ssim(ref, dist),
                "msSsim": ms_ssim(ref, dist),
            }
        )
    out = {
        "generator": "tests/golden/fr-metrics/make_golden.py",
        "numpy": np.__version__,
        "scipy": __import__("scipy").__version__,
        "encoding": "ref/dist: base64 of interleaved 8-bit RGB, row-major, width*height*3 bytes",
        "cases": cases,
    }
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for c in cases:
        print(f"{c['name']}: psnr={c['psnr']:.6f} ssim={c['ssim']:.8f} ms-ssim={c['msSsim']}")


if __name__ == "__main__":
    main()
