#!/usr/bin/env node
// Entry point of the `iqa` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
