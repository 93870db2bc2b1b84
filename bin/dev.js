#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build), for development: oclif maps dist/commands to src/commands
// (tsconfig.json's outDir and rootDirs) and must not read the commands from the built manifest.

import {execute} from '@oclif/core'
import {fileURLToPath} from 'node:url'

await execute({
  development: true,
  dir: import.meta.url,
  loadOptions: {root: fileURLToPath(new URL('..', import.meta.url)), ignoreManifest: true},
})
