import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import reactHooks from 'eslint-plugin-react-hooks'

/**
 * The layers' directions (docs/architecture.md): each entry lists what one layer must not import. Tests are left
 * out: a test may assemble the layers above the code it tests. ESLint keeps one `no-restricted-imports` per file,
 * so the folders below do not overlap.
 */
const http = {
  group: ['**/http/**', 'fastify', 'fastify/*', '@fastify/*'],
  message: 'the HTTP edge is above this layer.',
}
const proxy = { group: ['**/proxy/**'], message: 'the proxy is above this layer.' }
const services = { group: ['**/services/**'], message: 'services are above this layer.' }
const billing = { group: ['**/billing/**'], message: 'billing is above this layer.' }
const infra = {
  group: ['**/infra/**'],
  message: 'infrastructure is injected into this layer, never imported.',
}
const kysely = {
  group: ['kysely', 'kysely/*'],
  message: 'a route calls a service or an infra function; queries are written below the HTTP edge.',
}

const layer = (folder, ...forbidden) => ({
  files: [`src/${folder}/**/*.ts`],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map(({ group, message }) => ({ group, message: `src/${folder}: ${message}` })) },
    ],
  },
})

const layerDirections = [
  layer('services', http),
  layer('proxy', http),
  layer('billing', http, proxy),
  layer('infra', http, proxy, services, billing),
  layer('domain', http, infra),
  layer('http/routes', kysely),
]

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

/** Where untyped JSON meets the code first, `any` must not leak further: wire formats are read through types. */
const noUnsafeAny = {
  files: ['src/protocol/**/*.ts', 'src/proxy/**/*.ts'],
  rules: {
    '@typescript-eslint/no-unsafe-assignment': 'error',
    '@typescript-eslint/no-unsafe-member-access': 'error',
    '@typescript-eslint/no-unsafe-argument': 'error',
    '@typescript-eslint/no-unsafe-return': 'error',
    '@typescript-eslint/no-unsafe-call': 'error',
  },
}

/**
 * The rules of hooks, and effects that name every value they read. The plugin's React Compiler checks (its
 * `recommended` set) are left out: the dashboard is not compiled by it, and they reject its load-on-mount effects.
 */
const reactRules = {
  files: ['web/src/**/*.{ts,tsx}'],
  plugins: { 'react-hooks': reactHooks },
  rules: {
    'react-hooks/rules-of-hooks': 'error',
    'react-hooks/exhaustive-deps': 'error',
  },
}

/**
 * The dashboard's own tests and the browser-driving end-to-end tests are typed by tsconfig.browser-tests.json
 * (DOM and Node), which the project service does not find on its own: it looks for files named tsconfig.json.
 */
const browserTests = {
  files: ['web/src/**/*.test.{ts,tsx}', 'test/e2e/**/*.ts'],
  languageOptions: {
    parserOptions: { projectService: false, project: './tsconfig.browser-tests.json' },
  },
}

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'test-output', 'web/dist'] },
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
  browserTests,
  {
    // Plain JavaScript (the bin entry, scripts, this file) runs in Node; it is in tsconfig.json (allowJs) for types.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  ...layerDirections,
  protocolPurity,
  noUnsafeAny,
  reactRules,
  prettier,
)
