import 'aws-sdk-client-mock-vitest/extend'
import {afterEach} from 'vitest'

import {setClock} from '../src/util/clock.js'

afterEach(() => {
  // Commands set process.exitCode; vitest would exit with it (vitest-dev/vitest#549).
  process.exitCode = undefined
  // A test that fixed the clock leaves the next one on the system clock.
  setClock()
})
