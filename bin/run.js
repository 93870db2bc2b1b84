#!/usr/bin/env node
// `allthrive --version` answers without loading oclif (start-up in about the time of bare node), in oclif's format.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.oclif.bin}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
