// Lint rules of the repo: TypeScript and Svelte checks, promise hygiene, import cycles and the layer boundaries of docs/architecture.md.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import { readdirSync } from 'node:fs';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts'];
const SVELTE = ['**/*.svelte', '**/*.svelte.ts'];

/** An import-x/no-restricted-paths zone: files under `target` may not import from `from`. */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });

/** Every folder and file of src-main but the store. */
const OUTSIDE_STORE = readdirSync(new URL('src-main', import.meta.url)).filter((name) => name !== 'store').map((name) => `./src-main/${name}`);

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', '.data/', '.cache/', 'test-results/', 'bench-results/', '.scratch/', 'resources/', 'tests/fixtures/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.svelte', '.js', '.mjs', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
      // `cond && act()`, `a ? f() : g()` and `if (c) (f(), g());` as statements are house idioms.
      '@typescript-eslint/no-unused-expressions': 'off',
      // Terminal and CSV sanitizers match control characters on purpose.
      'no-control-regex': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            zone('./src-shared', ['./src-main', './src-renderer', './tests', './bench', './scripts', './bin'], 'src-shared is the contract both sides import; it imports nothing of ours.'),
            zone('./src-renderer', ['./src-main', './tests', './bench', './scripts', './bin'], 'The renderer reaches the back end only through src-renderer/lib/api.ts and the shared contract.'),
            zone('./src-main', ['./src-renderer', './tests', './bench', './scripts'], 'The main process does not import the renderer or the test/bench code.'),
            zone('./src-main/iqa', './src-main/datasets', 'iqa (models, training, scoring) does not import datasets; shared helpers live in src-main/util.'),
            zone('./src-main/iqa/models/hiqa', './src-main/iqa/models/ttl', 'hiqa and ttl share iqa/layers, not each other.'),
            zone('./src-main/iqa/models/ttl', './src-main/iqa/models/hiqa', 'hiqa and ttl share iqa/layers, not each other.'),
            zone(['./src-main/iqa/layers', './src-main/iqa/backbones'], './src-main/iqa/models', 'iqa/layers and iqa/backbones are the building blocks the models share; they import no model.'),
            zone('./src-main/iqa/layers', './src-main/iqa/backbones', 'Backbones are built from iqa/layers, not the other way round.'),
            zone('./src-main/imaging', ['./src-main/iqa', './src-main/datasets', './src-main/services', './src-main/store'], 'imaging (decoding, distortions, the synthetic set builder) sits below iqa and datasets.'),
            zone(
              OUTSIDE_STORE,
              ['./src-main/store/db.ts', './src-main/store/migrate.ts', './src-main/store/migrations'],
              'Only the store (src-main/store/store.ts and its repos) opens the database or runs migrations; use a repo.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Only src-renderer/lib/api.ts talks to the back end (preload bridge, HTTP, WebSocket).
    files: ['src-renderer/**'],
    ignores: ['src-renderer/lib/api.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest'].map((name) => ({ name, message: 'Only src-renderer/lib/api.ts talks to the back end.' })),
      ],
      'no-restricted-properties': ['error', { object: 'window', property: 'iqa', message: 'Only src-renderer/lib/api.ts uses the preload bridge.' }],
    },
  },
  {
    // Services and the other non-store modules never see the SQLite handle: statements live in src-main/store/repos.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/store/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='db']", message: 'Only src-main/store sees the database handle; put the statement in a repo.' },
      ],
    },
  },
  {
    // Type-aware checks where promises are made: the sources (main, shared, renderer) and the scripts around them.
    files: [...TS, '**/*.svelte'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json'],
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: SVELTE,
    languageOptions: { parserOptions: { parser: tseslint.parser, svelteFeatures: { experimentalGenerics: true } } },
    rules: {
      // No Svelte stores here (runes only); the rule costs a type check of every Svelte file.
      'svelte/require-store-reactive-access': 'off',
      // Maps and Sets in components and state classes are request caches and bookkeeping, not rendered state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Tests and benches may reach any layer (migration tests open the database directly).
    files: ['tests/**', 'bench/**', 'scripts/**'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
);
