// The ordered list of every migration; append new ones, never edit a landed one.
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-image-label-column';
import { migration0003 } from './0003-image-scores';
import { migration0004 } from './0004-run-owner';
import { migration0005 } from './0005-studies';
import { migration0006 } from './0006-photo-ratings';
import { migration0007 } from './0007-run-evaluations';
import { migration0008 } from './0008-photo-colors';
import { migration0009 } from './0009-image-measures';
import { migration0010 } from './0010-photo-picks-exif-groups';
import { migration0011 } from './0011-study-scale';
import { migration0012 } from './0012-reserved';
import { migration0013 } from './0013-dataset-ids-never-reused';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009, migration0010, migration0011, migration0012, migration0013];
export type { Migration };
