// Study exports: raw votes CSV, MOS CSV, SUREAL's dataset file, pyiqa's meta-info with content-disjoint splits, and a P.910-style report.
import type { ParsedInputOf } from '../../../src-shared/api/contract';
import type { StudyResults } from '../../../src-shared/api/schemas';
import { toCsv } from '../../../src-shared/csv';
import { contentDisjointSplit } from '../../datasets/splits';
import type { StudyRow } from '../../store/repos/studies.repo';
import { METHOD_SCALE } from '../../studies/aggregate';
import { studySlug, type StudyCore } from './core';

export function createStudyExports(core: StudyCore, results: (id: number, screening: 'none' | 'bt500', zscore: boolean, model?: 'mos' | 'mle') => StudyResults) {
  const { studies, getStudy, settingsOf, itemCounts } = core;

  /** The raw votes of a study as CSV: one row per vote with the rater, the item, the image name(s) and the time. */
  function votesCsv(studyId: number): { filename: string; csv: string } {
    const study = getStudy(studyId);
    const raters = new Map(studies.raters(study.id).map((r) => [r.raterId, r.name]));
    const names = studies.itemImageNames(study.id);
    const rows = studies.ratings(study.id).map((r) => [
      r.raterId, raters.get(r.raterId) ?? '', r.itemId, r.role, names.get(r.imageId) ?? String(r.imageId),
      r.otherImageId === null ? null : (names.get(r.otherImageId) ?? String(r.otherImageId)), study.method, r.value, r.durationMs, r.createdAt,
    ]);
    const header = ['rater_id', 'rater', 'item_id', 'role', 'image', 'other_image', 'method', 'value', 'duration_ms', 'created_at'];
    return { filename: `${studySlug(study)}-votes.csv`, csv: toCsv(header, rows) };
  }

  function exportCsv(input: ParsedInputOf<'studies:export'>): { filename: string; csv: string } {
    const study = getStudy(input.id);
    const slug = studySlug(study);
    if (input.what === 'votes') return votesCsv(study.id);
    if (input.what === 'sureal') return surealDataset(study);
    const res = results(input.id, input.screening, input.zscore, input.model);
    if (input.what === 'pyiqa') return pyiqaMetaInfo(study, res);
    if (input.what === 'report') return p910Report(study, res);
    const csv = toCsv(['image_id', 'image', 'score', 'std', 'n', 'ci95_low', 'ci95_high'], res.items.map((it) => [it.imageId, it.name, it.score, it.std, it.n, it.ciLow, it.ciHigh]));
    return { filename: `${slug}-${study.method === 'pairwise' ? 'scale' : 'mos'}.csv`, csv };
  }

  /**
   * The raw votes as a SUREAL dataset file (Python; `sureal --dataset <file> --models MLE_CO_AP2 …` reads it): the
   * references as ref_videos, each rated image as a dis_video with its content and `os` as {rater: vote}, which is
   * SUREAL's form for raters who did not rate everything. Images without a reference form one content.
   */
  function surealDataset(study: StudyRow): { filename: string; csv: string } {
    const names = studies.itemImageNames(study.id);
    const contents = studies.itemContents(study.id);
    const raters = new Map(studies.raters(study.id).map((r) => [r.raterId, r.name]));
    const contentIds = new Map<number | null, number>();
    const byImage = new Map<number, Map<string, number>>();
    for (const r of studies.ratings(study.id)) {
      if (r.role !== 'test') continue;
      const os = byImage.get(r.imageId) ?? byImage.set(r.imageId, new Map()).get(r.imageId)!;
      os.set(`${raters.get(r.raterId) ?? 'rater'}#${r.raterId}`, r.value);
    }
    const py = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const dis: string[] = [];
    [...byImage.keys()].sort((a, b) => a - b).forEach((imageId, assetId) => {
      const ref = contents.get(imageId) ?? null;
      const contentId = contentIds.get(ref) ?? contentIds.set(ref, contentIds.size).get(ref)!;
      const os = [...byImage.get(imageId)!].map(([k, v]) => `${py(k)}: ${v}`).join(', ');
      dis.push(` {'asset_id': ${assetId}, 'content_id': ${contentId}, 'os': {${os}}, 'path': ${py(names.get(imageId) ?? String(imageId))}}`);
    });
    const refs = [...contentIds].map(([ref, id]) => ` {'content_id': ${id}, 'content_name': ${py(ref === null ? 'no-reference' : `reference-${ref}`)}, 'path': ${py(ref === null ? '' : String(ref))}}`);
    const [lo, hi] = METHOD_SCALE[study.method];
    const text = [
      `# SUREAL dataset exported from study #${study.id} "${study.name}" (${study.method}, scale ${lo}-${hi}); one vote per rater and image.`,
      `dataset_name = ${py(studySlug(study))}`,
      `ref_score = ${hi}.0`,
      `ref_videos = [\n${refs.join(',\n')}\n]`,
      `dis_videos = [\n${dis.join(',\n')}\n]`,
      '',
    ].join('\n');
    return { filename: `${studySlug(study).replace(/-/g, '_')}_sureal.py`, csv: text };
  }

  /** pyiqa's meta-info CSV (image_name, mos; ref_name for full-reference data) with a content-disjoint train/val/test column. */
  function pyiqaMetaInfo(study: StudyRow, res: StudyResults): { filename: string; csv: string } {
    const contents = studies.itemContents(study.id);
    const refNames = new Map<number, string>();
    for (const it of res.items) {
      const ref = contents.get(it.imageId);
      if (ref != null) refNames.set(it.imageId, String(ref));
    }
    const split = res.items.length >= 2 ? contentDisjointSplit(res.items.map((it) => ({ imageId: it.imageId, reference: refNames.get(it.imageId) ?? null })), { trainRatio: 0.8, valRatio: 0.125, seed: settingsOf(study).seed }) : new Map();
    const withRef = study.method === 'dcr';
    const header = withRef ? ['ref_name', 'dist_name', 'mos', 'std', 'n', 'split'] : ['image_name', 'mos', 'std', 'n', 'split'];
    const rows = res.items.map((it) => [...(withRef ? [refNames.get(it.imageId) ?? ''] : []), it.name, it.score, it.std, it.n, split.get(it.imageId) ?? 'train']);
    return { filename: `meta_info_${studySlug(study).replace(/-/g, '_')}.csv`, csv: toCsv(header, rows) };
  }

  /** A P.910-style report: method, conditions, screening, and MOS with intervals. */
  function p910Report(study: StudyRow, res: StudyResults): { filename: string; csv: string } {
    const st = settingsOf(study);
    const counts = itemCounts(study.id);
    const [lo, hi] = res.scale;
    const kept = res.raters.filter((r) => !r.rejected);
    const f = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d));
    const lines = [
      `# Subjective test report: ${study.name}`,
      '',
      '## Method',
      `- ${({ acr: 'Absolute Category Rating (ACR, 5-grade)', slider: 'Continuous slider 0-100', dcr: 'Degradation Category Rating (DCR, reference first)', pairwise: 'Pair comparison' } as const)[study.method]} (ITU-T P.910), scale ${lo} to ${hi}.`,
      `- Items: ${counts.test} test, ${counts.gold} gold/trapping, ${counts.training} practice or qualification; each rater in their own random order.`,
      `- Analysis: ${res.model === 'mle' ? "SUREAL's MLE model (Li & Bampis 2017): per-rater bias and inconsistency, per-content ambiguity; 95% intervals ±1.96·se" : 'MOS with Student-t 95% intervals'}${res.zscore ? ', votes z-scored per rater' : ''}; intervals from 3 votes on, clamped to the scale.`,
      '',
      '## Conditions',
      `- Neutral surround and pause luminance ${st.surround ?? 128}/255; pause ${st.pauseMs} ms between stimuli; a break every ${st.maxPerSitting} ratings.`,
      ...(st.crowd
        ? [
            `- Crowd study: ${st.crowd.quota ? `quota ${st.crowd.quota} items per rater` : 'no quota'}; ${st.crowd.environment ? `screen at least ${st.crowd.environment.minWidth}×${st.crowd.environment.minHeight}${st.crowd.environment.brightness ? ', brightness test pattern' : ''}` : 'no environment check'}; ${st.crowd.demographics ? 'demographics asked' : 'no demographics'}; qualification pass mark ${Math.round(100 * st.crowd.qualificationMin)}%; ${st.crowd.trapImageIds.length} trapping item(s).`,
          ]
        : []),
      `- Raters: ${res.raters.length}, votes: ${res.raters.reduce((s, r) => s + r.votes, 0)}.`,
      '',
      '## Screening',
      `- Rule: ${res.screening === 'bt500' ? 'ITU-R BT.500 outlier test, gold/trapping items (80% within tolerance), straight-lining, rater–MOS correlation ≥ 0.75; flagged raters excluded' : 'none: every rater kept (flags reported)'}.`,
      `- Kept ${kept.length} of ${res.raters.length} raters.`,
      '',
      '| rater | votes | gold | MOS r | bias | inconsistency | excluded | reasons |',
      '|---|---|---|---|---|---|---|---|',
      ...res.raters.map((r) => `| ${r.name} | ${r.votes} | ${r.goldAccuracy === null ? '–' : `${Math.round(100 * r.goldAccuracy)}%`} | ${f(r.mosCorrelation)} | ${f(r.bias)} | ${f(r.inconsistency)} | ${r.rejected ? 'yes' : 'no'} | ${r.reasons.join('; ') || '–'} |`),
      '',
      '## Results',
      '',
      `| image | ${res.method === 'pairwise' ? 'scale value' : res.model === 'mle' ? 'quality (MLE)' : 'MOS'} | std | n | 95% interval |`,
      '|---|---|---|---|---|',
      ...res.items.map((it) => `| ${it.name} | ${f(it.score)} | ${f(it.std)} | ${it.n} | ${it.tooFewVotes ? 'too few votes' : it.ciLow === null ? '–' : `${f(it.ciLow)} … ${f(it.ciHigh)}`} |`),
      '',
    ];
    return { filename: `${studySlug(study)}-report.md`, csv: lines.join('\n') };
  }

  return { votesCsv, exportCsv };
}
