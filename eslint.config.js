import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/lint/layers.mjs';

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'data/**', 'next-env.d.ts', 'bench-out/**', '.tmp/**', 'tests/e2e/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Import boundaries between layers: the table and its exceptions are in scripts/lint/layers.mjs.
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'],
    plugins: { layers: layersPlugin },
    rules: { 'layers/imports': 'error' },
  },
);
