#!/usr/bin/env node
// `npx any-gateway <command>`: the CLI is TypeScript, run with tsx as `npm start` runs the server
// (`node --import tsx`): importing tsx registers its loader in this process, then the entry is imported.
await import('tsx')
await import('../src/cli/any-gateway.ts')
