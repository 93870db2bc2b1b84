import 'aws-sdk-client-mock-vitest/extend'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach} from 'vitest'

import {setClock} from '../src/util/clock.js'

// The developer's own settings never reach a test: no ALLTHRIVE_* variable, no ~/.config/allthrive/config.json.
for (const key of Object.keys(process.env)) if (key.startsWith('ALLTHRIVE_')) delete process.env[key]
process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'allthrive-xdg-'))

afterEach(() => {
  // Commands set process.exitCode; vitest would exit with it (vitest-dev/vitest#549).
  process.exitCode = undefined
  // A test that fixed the clock leaves the next one on the system clock.
  setClock()
})
