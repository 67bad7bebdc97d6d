// Lint: TypeScript's recommended rules plus the layer rule of the hexagonal architecture
// (dependency-cruiser checks the same boundaries on the import graph).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworks = ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', 'ioredis', 'kafkajs', 'class-validator', 'class-transformer', 'prom-client'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.kafka/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['libs/graph-domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: frameworks, message: 'The domain is plain TypeScript: no framework or client imports.' },
            { group: ['@graph/*', '**/graph-application/**', '**/graph-infrastructure/**', '**/graph-contracts/**', '**/apps/**'], message: 'The domain imports nothing from other layers.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/graph-application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['typeorm', 'typeorm/*', 'pg', 'ioredis', 'kafkajs', 'prom-client'], message: 'Use cases talk to ports, not clients.' },
            { group: ['@graph/infrastructure', '@graph/infrastructure/*', '**/graph-infrastructure/**', '**/apps/**'], message: 'The application imports only the domain.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/graph-infrastructure/**/*.ts', 'libs/graph-contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps/**'], message: 'Libraries do not import the app.' }] }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setInterval: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
