// ESLint flat config: TypeScript rules everywhere, React hooks rules in the views, and a fence that keeps
// the compute code (tokenizer, model) free of UI libraries so it runs the same in Node, a worker or a test.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** What the compute code (tokenizer, model, training) and the Node commands (node, cli, bench) may not import: UI
 * libraries and the app. */
const UI_IMPORTS = ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*', 'd3', 'd3-*', '**/app/**'];

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-*',
      'node_modules',
      '.cache',
      '.devcarry',
      'public/models',
      'src/model/wasm/assembly',
      'src/model/wasm/build',
      'tmp',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['public/*.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ['src/**/*.tsx', 'src/app/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src/tokenizer/**', 'src/model/**', 'src/train/**', 'src/node/**', 'src/cli/**', 'src/bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: UI_IMPORTS,
        },
      ],
    },
  },
  {
    // The compute code runs in the page too: no Node built-ins, and nothing from the Node side (src/node, src/cli).
    files: ['src/tokenizer/**', 'src/model/**', 'src/train/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: UI_IMPORTS },
            {
              group: ['node:*', '**/node/**', '**/cli/**'],
              message: 'Browser-safe code: move file access to src/node.',
            },
          ],
        },
      ],
    },
  },
  {
    // The WebGPU engine takes what it shares with the CPU engine from src/model/, never from cpu/ itself.
    files: ['src/model/webgpu/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: UI_IMPORTS },
            { regex: '(^|/)cpu/', message: 'Move what both engines need to a module in src/model/.' },
            {
              group: ['node:*', '**/node/**', '**/cli/**'],
              message: 'Browser-safe code: move file access to src/node.',
            },
          ],
        },
      ],
    },
  },
);
