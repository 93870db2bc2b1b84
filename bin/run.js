#!/usr/bin/env node
// `allthrive --version` answers without loading oclif (start-up in about the time of bare node), in oclif's format.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.oclif.bin}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // V8's compile cache (Node >= 22.1): oclif, the SDK clients and our modules are compiled once, then read from
  // the cache (in the system's temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off).
  const {enableCompileCache} = await import('node:module')
  enableCompileCache?.()
  // dist/ is a bundle: with --debug (or ALLTHRIVE_DEBUG=true), stack traces name the TypeScript sources (src/…:line)
  // through the bundle's source maps. Off otherwise: reading the maps costs start-up time.
  if (process.argv.includes('--debug') || /^(true|1)$/i.test(process.env.ALLTHRIVE_DEBUG ?? '')) {
    process.setSourceMapsEnabled(true)
  }
  // oclif's core from the bundle (dist/index.js), the same copy the commands use.
  const {execute, settings} = await import('../dist/index.js')
  // The built CLI runs dist/ even when NODE_ENV is test or development (bin/dev.js runs the sources).
  settings.enableAutoTranspile = false
  await execute({dir: import.meta.url})
}
