// Golden tests of per-item MOS, sample std and Student-t CIs, and of the t/normal quantiles, against numpy/scipy.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { computeMos, normalCdf, normalQuantile, studentTCdf, studentTQuantile, type Vote } from '../../../src-main/studies/mos';
import { M } from './ratings-matrix';

// Expected values computed with python3 (scipy 1.17): stats.t.ppf(p, dof), stats.t.cdf(t, dof), stats.norm.ppf(p).
const T_PS = [1e-06, 0.025, 0.1, 0.6, 0.9, 0.975, 0.995, 0.9995];
const T_DOFS = [1, 2, 5, 10, 30, 100];
const T_PPF: number[][] = [
  [-318309.8861827435, -12.706204736174705, -3.0776835371752536, 0.32491969623290634, 3.0776835371752544, 12.706204736174694, 63.656741162871526, 636.6192487687897], // dof 1
  [-707.1057205259339, -4.302652729749464, -1.8856180831641267, 0.2886751345948128, 1.8856180831641272, 4.302652729749462, 9.924843200918287, 31.599054576445365], // dof 2
  [-24.771029720515948, -2.5705818356363155, -1.4758840488244813, 0.2671808657041451, 1.4758840488244815, 2.5705818356363146, 4.032142983555228, 6.868826625881276], // dof 5
  [-9.751995490940581, -2.2281388519862753, -1.3721836411103359, 0.2601848294920803, 1.372183641110336, 2.228138851986274, 3.16927267261695, 4.586893858702708], // dof 10
  [-5.871117120418882, -2.042272456301238, -1.3104150253913955, 0.2556053649519128, 1.3104150253913955, 2.0422724563012378, 2.7499956535672254, 3.6459586350420627], // dof 30
  [-5.048830877228346, -1.983971518523552, -1.290074761346516, 0.25402218245822766, 1.290074761346516, 1.9839715185235518, 2.6258905214380173, 3.390491311164263], // dof 100
];
const T_CDF_CASES = [[-3.2, 1, 0.09641124797922958], [0.7, 2, 0.7218034876835673], [2.1, 7, 0.9630644018935387], [-1.5, 4.5, 0.10010954282807676], [12.0, 30, 0.999999999999721]];
const Z_PPF = [[1e-10, -6.361340902404056], [0.001, -3.090232306167813], [0.3, -0.5244005127080409], [0.8, 0.8416212335729143], [0.999, 3.090232306167813]];
const T_PPF_NONINT = [[0.975, 2.5, 3.5746548420036817], [0.99, 7.3, 2.9639404475838966], [0.975, 1000, 1.9623390808264083], [0.975, 100000.0, 1.9599877075346095]];


// Per item, by python3: n = (~isnan(M)).sum(0); mos = nanmean(M, 0); std = nanstd(M[:, j], ddof=1);
// half width = stats.t.ppf(0.975 | 0.995, n - 1) * std / sqrt(n); null where n < 2.
const N_EXP = [1, 11, 11, 11, 11, 10, 11, 11, 11, 12, 11, 11, 12, 12, 12, 12, 11, 12, 11, 9, 10, 10, 11, 10, 11, 12, 10, 12, 12, 12];
const MOS_EXP = [55.5, 30.172727272727272, 44.972727272727276, 60.436363636363645, 82.21818181818182, 38.089999999999996, 31.38181818181818, 43.9, 43.07272727272727, 40.16666666666667, 56.22727272727273, 54.881818181818176, 35.46666666666667, 63.35833333333333, 26.008333333333336, 52.6, 77.89999999999999, 68.11666666666666, 50.91818181818182, 40.18888888888889, 36.21, 51.1, 38.654545454545456, 80.42, 35.25454545454546, 41.675000000000004, 72.4, 46.025000000000006, 36.483333333333334, 35.00833333333333];
const STD_EXP = [null, 12.660575888093788, 13.475985374664884, 23.326520217438034, 8.11687355843593, 19.29446955880248, 20.293388981725954, 25.445117409829336, 7.381746528984982, 16.32055777418793, 10.552354325845101, 15.289134585176374, 18.87510786643872, 15.657090077564533, 11.955178287202074, 12.796164197985982, 10.769679660974136, 12.042638893330295, 20.393176220580166, 16.794675082034516, 11.501734168762939, 14.202660157715368, 8.392897430132653, 8.511795736897511, 10.432675940176004, 10.501266157425537, 16.216795134811456, 13.17312173949806, 12.6960862497309, 18.61712107093084];
const HW95_EXP = [null, 8.505490614076832, 9.053290160950674, 15.670969513722875, 5.4529898542648185, 13.802432045930118, 13.633284223208289, 17.094262474024923, 4.959124795959746, 10.369587690047425, 7.089168096949973, 10.271380374874445, 11.992671383431267, 9.948040427089836, 7.595957890321634, 8.130294845505878, 7.235169243697131, 7.65152770829107, 13.700322202442496, 12.909530062860652, 8.22784496826333, 10.159971026976097, 5.6384252144513525, 6.088971862601297, 7.0087670634572055, 6.6721861950192904, 11.60079639239885, 8.369802240793334, 8.066708350814356, 11.828754393833991];
const HW99_EXP = [null, 12.098087579399976, 12.877269780020708, 22.29016175943473, 7.75625437964646, 19.828699332184794, 19.391787494803758, 24.314633205723727, 7.053787820234623, 14.632508021937005, 10.083530791280268, 14.60986378973843, 16.922838734556265, 14.037663377074923, 10.718643603458323, 11.472645596291185, 10.291200723584538, 10.79705808159575, 19.487141352766894, 18.78421333470642, 11.820196867089805, 14.595906724787783, 8.020014970263228, 8.747472322550252, 9.969169517039374, 9.41511089357793, 16.665809540906142, 11.810614085262117, 11.38291879890332, 16.691535741910183];

const rid = (r: number) => `r${String(r).padStart(2, '0')}`;
const iid = (i: number) => `i${String(i).padStart(2, '0')}`;

function votesOf(m: readonly (readonly (number | null)[])[]): Vote[] {
  const out: Vote[] = [];
  m.forEach((row, r) => row.forEach((value, i) => value !== null && out.push({ rater: rid(r), item: iid(i), value })));
  return out;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('Student t and normal quantiles against scipy', () => {
  T_DOFS.forEach((dof, d) => {
    it(`t.ppf for dof ${dof} within 1e-12 relative`, () => {
      T_PS.forEach((p, k) => expect(relErr(studentTQuantile(p, dof), T_PPF[d]![k]!)).toBeLessThan(1e-12));
    });
  });

  it('t.ppf for non-integer and large dof within 1e-12 relative', () => {
    for (const [p, dof, want] of T_PPF_NONINT) expect(relErr(studentTQuantile(p!, dof!), want!)).toBeLessThan(1e-12);
  });

  it('keeps full precision next to p = 0.5, where scipy itself is off by ~1e-10', () => {
    // mpmath (40 digits): findroot of 1/2 + t·Γ((ν+1)/2)/(√(νπ)Γ(ν/2))·2F1(1/2, (ν+1)/2; 3/2; −t²/ν) = p,
    // and √2·erfinv(2p − 1) for the normal.
    expect(relErr(studentTQuantile(0.5000001, 7), 2.5974602742784955e-7)).toBeLessThan(1e-14);
    expect(relErr(studentTQuantile(0.49999999999, 12), -2.559336469986305e-11)).toBeLessThan(1e-14);
    expect(relErr(normalQuantile(0.5000001), 2.5066282733116483e-7)).toBeLessThan(1e-14);
    expect(relErr(normalQuantile(0.49999999999), -2.5066284820303539e-11)).toBeLessThan(1e-14);
  });

  it('t.cdf within 1e-13 absolute, and inverts the quantile', () => {
    for (const [t, dof, want] of T_CDF_CASES) expect(Math.abs(studentTCdf(t!, dof!) - want!)).toBeLessThan(1e-13);
    for (const dof of [1, 3, 8.5, 40]) {
      for (const p of [0.01, 0.3, 0.77, 0.999]) expect(Math.abs(studentTCdf(studentTQuantile(p, dof), dof) - p)).toBeLessThan(1e-13);
    }
  });

  it('norm.ppf within 1e-13 relative; dof = Infinity is the normal', () => {
    for (const [p, want] of Z_PPF) expect(relErr(normalQuantile(p!), want!)).toBeLessThan(1e-13);
    expect(studentTQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
    expect(Math.abs(normalCdf(1.959963984540054) - 0.975)).toBeLessThan(1e-15);
    expect(studentTQuantile(0.5, 7)).toBe(0);
  });

  it('rejects p outside (0, 1) and dof ≤ 0', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(AppError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(/degrees of freedom/);
    expect(() => normalQuantile(Number.NaN)).toThrow(AppError);
  });
});

describe('computeMos', () => {
  const votes = votesOf(M);
  const byItem = new Map(computeMos(votes).map((m) => [m.item, m]));

  it('matches numpy/scipy per item: n exactly, MOS/std/CI within 1e-12 relative', () => {
    expect(byItem.size).toBe(30);
    for (let i = 0; i < 30; i++) {
      const m = byItem.get(iid(i))!;
      expect(m.n).toBe(N_EXP[i]);
      expect(relErr(m.mos, MOS_EXP[i]!)).toBeLessThan(1e-12);
      if (STD_EXP[i] === null) {
        expect(m.std).toBeNull();
        expect(m.ci).toBeNull();
        continue;
      }
      expect(relErr(m.std!, STD_EXP[i]!)).toBeLessThan(1e-12);
      expect(relErr(m.ci!.halfWidth, HW95_EXP[i]!)).toBeLessThan(1e-12);
      expect(relErr(m.ci!.low, MOS_EXP[i]! - HW95_EXP[i]!)).toBeLessThan(1e-12);
      expect(relErr(m.ci!.high, MOS_EXP[i]! + HW95_EXP[i]!)).toBeLessThan(1e-12);
    }
  });

  it('honours another confidence level (99 %)', () => {
    const mos99 = new Map(computeMos(votes, { confidence: 0.99 }).map((m) => [m.item, m]));
    for (let i = 1; i < 30; i++) expect(relErr(mos99.get(iid(i))!.ci!.halfWidth, HW99_EXP[i]!)).toBeLessThan(1e-12);
  });

  it('an item with one vote has its MOS but no std or CI; two votes use t(0.975; 1) = 12.706', () => {
    const r = computeMos([
      { rater: 'a', item: 'one', value: 4 },
      { rater: 'a', item: 'two', value: 2 },
      { rater: 'b', item: 'two', value: 4 },
    ]);
    expect(r).toEqual([
      { item: 'one', n: 1, mos: 4, std: null, ci: null },
      expect.objectContaining({ item: 'two', n: 2, mos: 3 }),
    ]);
    // s = √2, half width = 12.706204736174705 · √2/√2
    expect(Math.abs(r[1]!.ci!.halfWidth - 12.706204736174705)).toBeLessThan(1e-12);
  });

  it('gives zero-width intervals when all votes agree, and [] for no votes', () => {
    const r = computeMos(['a', 'b', 'c'].map((rater) => ({ rater, item: 'x', value: 3 })));
    expect(r[0]).toEqual({ item: 'x', n: 3, mos: 3, std: 0, ci: { low: 3, high: 3, halfWidth: 0 } });
    expect(computeMos([])).toEqual([]);
  });

  it('keeps items in order of their first vote', () => {
    const r = computeMos([
      { rater: 'a', item: 'z', value: 1 },
      { rater: 'a', item: 'y', value: 2 },
      { rater: 'b', item: 'z', value: 3 },
    ]);
    expect(r.map((m) => m.item)).toEqual(['z', 'y']);
  });

  it('rejects NaN, Infinity and duplicate votes with a bad_input error naming the rater and item', () => {
    const bad = (value: number) => [
      { rater: 'r1', item: 'img-1', value: 3 },
      { rater: 'r7', item: 'img-9', value },
    ];
    for (const v of [Number.NaN, Infinity]) {
      try {
        computeMos(bad(v));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('bad_input');
        expect((e as AppError).message).toMatch(/rater "r7".*item "img-9"/);
      }
    }
    expect(() => computeMos([{ rater: 'r1', item: 'x', value: '3' as unknown as number }])).toThrow(/rater "r1" on item "x"/);
    expect(() => computeMos([...bad(2), { rater: 'r7', item: 'img-9', value: 4 }])).toThrow(/rater "r7" voted more than once on item "img-9"/);
    expect(() => computeMos([{ rater: '', item: 'x', value: 1 }])).toThrow(/no rater id/);
    expect(() => computeMos(bad(2), { confidence: 1.5 })).toThrow(/confidence/);
  });
});
