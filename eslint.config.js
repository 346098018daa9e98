import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// lib/ is the core: it must stay usable from the CLI and tests, so it never reaches up into
// the app, React or Next. The boundary is enforced here rather than by convention.
const libBoundary = {
  files: ['lib/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['**/app/**', '@/app/**'], message: 'lib/ never imports from app/.' },
          { group: ['react', 'react-dom', 'react/*', 'next', 'next/*', 'recharts', 'server-only'], message: 'lib/ stays free of UI and Next.js.' },
        ],
      },
    ],
  },
};

// Only the store module may hold the native DuckDB handle.
const duckdbOwner = {
  files: ['**/*.ts', '**/*.tsx'],
  ignores: ['lib/db/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      { paths: [{ name: '@duckdb/node-api', message: 'Only lib/db opens DuckDB.' }] },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'data/**', 'next-env.d.ts', 'bench-out/**', '.tmp/**', 'tests/e2e/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  duckdbOwner,
  libBoundary,
);
