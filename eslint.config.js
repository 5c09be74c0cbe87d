// Lint rules for the whole tree (`npm run lint`; the test command runs it first and fails on errors).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const layer = (from, forbidden, message) => ({
  files: [`apps/gateway/src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [`**/${group}/**`], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tooling/**', '.run/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Nest's dependency injection needs value imports of types used in decorated constructors.
      '@typescript-eslint/consistent-type-imports': 'off',
      // Control characters are what some validators look for (NUL, CR/LF in header values).
      'no-control-regex': 'off',
      'preserve-caught-error': 'off',
      // Comments cite docs/architecture.md, never a design document outside the repository.
      'no-warning-comments': ['error', { terms: ['design §'], location: 'anywhere' }],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // The gateway's layers (docs/architecture.md#the-gateway): shared ← identity ← edge.
  layer('identity', ['edge'], 'identity never imports the edge (docs/architecture.md#the-gateway)'),
  layer('shared', ['edge', 'identity'], 'shared imports neither identity nor the edge'),
  prettier,
);
