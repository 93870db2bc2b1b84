import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Tests never wait on real AWS; a slow test is a bug, not a reason to raise this.
    testTimeout: 15_000,
    // Every e2e file seeds (and first wipes) the one emulator: with one, files run one at a time.
    fileParallelism: !process.env.AWS_ENDPOINT_URL,
    // oclif writes through console.log; let captureOutput see it (oclif/test#645).
    disableConsoleIntercept: true,
    env: {NO_COLOR: '1', FORCE_COLOR: '0'},
  },
})
