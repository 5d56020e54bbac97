// One lint configuration for the proxy, the SPA, the tests and the scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import pluginQuery from '@tanstack/eslint-plugin-query';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

// The page's layers, lowest first: each may import only from itself and the layers before it
// (README, Layout). Tests may also use test/fixtures; nothing in src imports the proxy.
const LAYERS = ['qmp', 'schema', 'block-layer', 'api', 'features', 'app'];
const layerZones = LAYERS.slice(0, -1).map((layer, i) => ({
  target: `./src/${layer}`,
  from: LAYERS.slice(i + 1).map((higher) => `./src/${higher}`),
  message: `src/${layer} is below ${LAYERS.slice(i + 1).join(', ')}: it must not import them.`,
}));

export default tseslint.config(
  {
    ignores: ['dist', 'dist-server', 'node_modules', 'test-results', 'playwright-report', '.cache'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginQuery.configs['flat/recommended'],
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'proxy/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...layerZones,
            {
              target: './proxy',
              from: ['./src/block-layer', './src/api', './src/features', './src/app'],
              message: 'The proxy shares only the protocol (src/qmp, src/schema) with the page.',
            },
            {
              target: './src',
              from: ['./proxy', './bench', './e2e', './test'],
              message: 'The page does not import the proxy, benchmarks or test helpers.',
            },
          ],
        },
      ],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Tests beside the code may use the shared fixtures in test/ (never the other way round).
    files: ['src/**/*.test.{ts,tsx}'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bin/*', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
);
