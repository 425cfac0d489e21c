import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

/** Modules of src/protocol must stay pure: no IO, no clock, no randomness, no imports from other layers. */
const protocolPurity = {
  files: ['src/protocol/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['node:*', 'fs', 'net', 'http', 'https', 'crypto', 'zlib'],
            message: 'src/protocol is pure: no IO.',
          },
          {
            group: ['undici', 'fastify', 'kysely', 'ioredis', 'ldapts', 'pg', 'better-sqlite3', 'pino'],
            message: 'src/protocol is pure.',
          },
          {
            group: ['**/infra/**', '**/http/**', '**/domain/**', '**/providers/**', '**/config/**'],
            message: 'src/protocol imports nothing from other layers.',
          },
        ],
      },
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: 'Inject the clock.' },
      { object: 'Math', property: 'random', message: 'Inject randomness.' },
    ],
    'no-restricted-globals': ['error', { name: 'fetch', message: 'No IO in src/protocol.' }],
  },
}

/** Business rules take their dependencies as arguments; they never reach into the HTTP edge. */
const domainDirection = {
  files: ['src/domain/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [{ group: ['**/http/**', 'fastify'], message: 'domain must not depend on the HTTP edge.' }],
      },
    ],
  },
}

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'test-output', 'web/dist', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      eqeqeq: ['error', 'smart'],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  protocolPurity,
  domainDirection,
  prettier,
)
