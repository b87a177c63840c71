import tseslint from 'typescript-eslint';
import skystack from './tools/eslint-rules/layer-boundaries.js';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', '.tools/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { skystack },
    rules: {
      'skystack/layer-boundaries': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (DESIGN.md conventions).' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Config files that tools require to have a default export.
    files: ['**/vitest.config.ts', 'vitest.shared.ts', 'eslint.config.js', 'tools/eslint-rules/*.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
