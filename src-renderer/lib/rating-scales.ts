// The wording of each study method's scale (ITU-T P.910 ACR and DCR, a 0-100 slider, pairwise), shared by the rating screen and the study set-up.
import type { StudyMethod } from '../../src-shared/api/schemas';

export interface RatingScale {
  title: string;
  instructions: string;
  keys: string;
  levels: { value: number; label: string }[];
}

export const RATING_SCALES: Record<StudyMethod, RatingScale> = {
  acr: {
    title: 'Rate the quality of each image',
    instructions: 'Look at each image and rate its overall quality on the five-level scale.',
    keys: '1-5',
    levels: [
      { value: 5, label: 'Excellent' },
      { value: 4, label: 'Good' },
      { value: 3, label: 'Fair' },
      { value: 2, label: 'Poor' },
      { value: 1, label: 'Bad' },
    ],
  },
  slider: {
    title: 'Rate the quality of each image',
    instructions: 'Move the slider from 0 (worst) to 100 (best) and confirm.',
    keys: 'arrows to move (Shift: by 10), Enter to confirm',
    levels: [],
  },
  dcr: {
    title: 'How impaired is each image?',
    instructions: 'You see the reference first, then the test image. Rate how much the test image is impaired compared with the reference.',
    keys: 'Space to show the test image, then 1-5',
    levels: [
      { value: 5, label: 'Imperceptible' },
      { value: 4, label: 'Perceptible, not annoying' },
      { value: 3, label: 'Slightly annoying' },
      { value: 2, label: 'Annoying' },
      { value: 1, label: 'Very annoying' },
    ],
  },
  pairwise: {
    title: 'Which image looks better?',
    instructions: 'Two images are shown side by side. Pick the one with the better quality.',
    keys: '← or 1 for the left image, → or 2 for the right',
    levels: [],
  },
};

export const METHOD_LABELS: Record<StudyMethod, string> = {
  acr: 'ACR (5 levels, Excellent … Bad)',
  slider: 'Continuous slider 0-100',
  dcr: 'DCR (reference first, impairment 5 … 1)',
  pairwise: 'Pairwise comparison',
};
