#!/usr/bin/env node
/**
 * Builds dist/: the commands and hooks bundled with esbuild (our code, the AWS SDK and the other runtime
 * dependencies), one entry per command so oclif loads only the command that runs, and code splitting so a check
 * (and the SDK client it imports) loads only when it runs: `validate --only secrets` loads no EC2, ELB or
 * CloudFront code. @oclif/core is in the bundle too (one file instead of some 160 modules to resolve at start-up);
 * the oclif plugins (help, autocomplete) stay in node_modules, where oclif loads them from, and so do typescript,
 * ts-node and tsx, which oclif asks for only to run TypeScript sources (bin/dev.js).
 *
 *   node scripts/build.mjs            (npm run build, then scripts/manifest.mjs)
 *
 * Type-checking is `npm run typecheck` (and `npm test`); esbuild only strips the types.
 * dist/meta.json is esbuild's metafile: which sources and packages each output file holds (the start-up test
 * reads it to tell which SDK clients a run loaded).
 */
import {build} from 'esbuild'
import {globSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist')

/**
 * The AWS SDK's schema modules (`dist-es/schemas/schemas_0.js`, one per client) describe every shape of the
 * service with object keys written as computed names (`{[_xN]: "Name"}`, `_xN` a string constant). A bundler
 * must assume a computed key may run code, so it keeps every shape: 1 MB of EC2 schemas for two operations. The
 * constants are replaced by their strings, which makes each shape a plain literal that tree-shaking drops when
 * no operation of ours reads it (EC2: 1.3 MB of schemas in the package, 24 KB in the bundle). A key whose name is not such a constant is left as is.
 */
export const inlineSchemaKeys = {
  name: 'inline-sdk-schema-keys',
  setup(b) {
    b.onLoad({filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/}, (args) => ({
      contents: inlineKeys(readFileSync(args.path, 'utf8')),
      loader: 'js',
    }))
  },
}

/**
 * `node:http` through require(), not import. Node builds the ES module view of a built-in by reading each of its
 * exports, and http's WebSocket, CloseEvent and MessageEvent are getters that load undici: importing node:http costs
 * some 30 ms more than requiring it. Here it is a CommonJS module of the bundle, `module.exports = require('node:http')`,
 * whose exports (request, Agent) are read where they are used.
 */
export const httpByRequire = {
  name: 'http-by-require',
  setup(b) {
    b.onResolve({filter: /^(node:)?http$/}, (args) =>
      args.namespace === 'http-by-require' ? undefined : {path: 'node:http', namespace: 'http-by-require'},
    )
    b.onLoad({filter: /.*/, namespace: 'http-by-require'}, () => ({
      contents: "module.exports = require('node:http')",
      loader: 'js',
    }))
  },
}

/** `{[_a]: 1}` becomes `{"x": 1}` for each top-level `const _a = "x";` of the module. */
export function inlineKeys(source) {
  const strings = new Map()
  for (const m of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) strings.set(m[1], m[2])
  return source.replace(/\[(_\w+)\]:/g, (all, id) => (strings.has(id) ? `${strings.get(id)}:` : all))
}

async function main() {
  rmSync(outdir, {recursive: true, force: true})
  const entryPoints = [
    ...globSync('src/commands/**/*.ts', {cwd: root}),
    ...globSync('src/hooks/*.ts', {cwd: root}),
    'src/index.ts',
  ].map((p) => join(root, p))
  const result = await build({
    entryPoints,
    outdir,
    outbase: join(root, 'src'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22.13',
    // The SDK's ES modules (dist-es), which tree-shake; CommonJS where a package has no other.
    mainFields: ['module', 'main'],
    external: ['@oclif/plugin-*', 'typescript', 'ts-node', 'tsx'],
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    plugins: [inlineSchemaKeys, httpByRequire],
    // CommonJS packages in the bundle (pg, ioredis) call require() for Node's modules.
    banner: {
      js: "import {createRequire as __allthriveRequire} from 'node:module';const require=__allthriveRequire(import.meta.url);",
    },
  })
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile))
  const outputs = Object.entries(result.metafile.outputs).filter(([p]) => p.endsWith('.js'))
  const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0)
  console.log(
    `${relative(root, outdir)}/: ${entryPoints.length} entries, ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KB`,
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
