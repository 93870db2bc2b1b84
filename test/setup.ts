import 'aws-sdk-client-mock-vitest/extend'
import {afterEach} from 'vitest'

// Commands set process.exitCode; vitest would exit with it (vitest-dev/vitest#549).
afterEach(() => {
  process.exitCode = undefined
})
