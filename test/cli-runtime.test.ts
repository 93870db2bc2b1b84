import {Config} from '@oclif/core'
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'

import {runBuiltCli} from './helpers/cli.js'

/**
 * The built CLI as a user runs it, for the runtime conventions: version, help, unknown commands,
 * variables, configuration lookup, and which modules a run loads. Needs `npm run build`.
 */
const root = join(import.meta.dirname, '..')

const cli = runBuiltCli

/** A loopback port nothing listens on: every AWS call is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const {port} = server.address() as {port: number}
  await new Promise((r) => server.close(r))
  return port
}

describe('allthrive runtime conventions (built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'commands', 'validate.js')))
      throw new Error('dist/ is missing: run `npm run build` first.')
  })

  it('--version prints what oclif would, without loading it', async () => {
    const config = await Config.load(root)
    const r = await cli(['--version'])
    expect(r).toMatchObject({code: 0, stderr: ''})
    expect(r.stdout).toBe(`${config.userAgent}\n`)
  })

  it('has `help <command>` (plugin-help)', async () => {
    const r = await cli(['help', 'validate'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Run health checks against an environment')
    expect(r.stdout).toContain('$ allthrive validate')
  })

  it('suggests the closest command for a typo and exits 2 (no terminal to ask on)', async () => {
    const r = await cli(['valdate', '-e', 'staging'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('"valdate" is not an allthrive command.')
    expect(r.stderr).toContain('Did you mean allthrive validate?')
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
    const topic = await cli(['cache', 'clr'])
    expect(topic.stderr).toContain('Did you mean allthrive cache clear?')
  })

  it('prints the autocomplete set-up for bash and zsh', async () => {
    for (const shell of ['bash', 'zsh']) {
      const r = await cli(['autocomplete', shell])
      expect(r.code, shell).toBe(0)
      expect(r.stdout, shell).toContain(`allthrive autocomplete script ${shell}`)
    }
  })

  it('prints a fish completion script of the commands, topics and flags', async () => {
    const r = await cli(['autocomplete', 'fish'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toContain(
      "complete -c allthrive -n __fish_use_subcommand -a 'validate' -d 'Run health checks against an environment'",
    )
    expect(lines).toContain(
      "complete -c allthrive -n '__fish_seen_subcommand_from cache' -a 'clear' -d 'Invalidate the CloudFront cache of an environment'",
    )
    expect(lines).toContain(
      "complete -c allthrive -n '__fish_seen_subcommand_from validate' -l fail-on -x -a 'fail warn' -d 'Lowest status that makes the run fail (exit 1).'",
    )
    expect(lines.filter((l) => !l.startsWith('#')).every((l) => l.startsWith('complete -c allthrive '))).toBe(true)
    expect(r.stdout).not.toContain('<%')
  })

  it('reads ALLTHRIVE_ENVIRONMENT and ignores the bare ENVIRONMENT other tools set', async () => {
    const plain = await cli(['config', 'show'], {ENVIRONMENT: 'dev'})
    expect(plain.code).toBe(0)
    expect(plain.stdout).toMatch(/^environment\s+production$/m)
    const chosen = await cli(['config', 'show'], {ENVIRONMENT: 'dev', ALLTHRIVE_ENVIRONMENT: 'staging'})
    expect(chosen.stdout).toMatch(/^environment\s+staging$/m)
    // The built CLI runs dist/ whatever NODE_ENV says: no oclif notice about TypeScript sources.
    expect(chosen.stderr).toBe('')
  })

  it('finds the configuration in $XDG_CONFIG_HOME from any folder, and ALLTHRIVE_CONFIG first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-cfg-'))
    mkdirSync(join(dir, 'xdg', 'allthrive'), {recursive: true})
    mkdirSync(join(dir, 'elsewhere'))
    writeFileSync(join(dir, 'xdg', 'allthrive', 'config.json'), JSON.stringify({environments: {laptop: {}}}))
    writeFileSync(join(dir, 'ops.json'), JSON.stringify({environments: {ops: {}}}))
    const xdg = await cli(['config', 'show', '-e', 'laptop'], {
      XDG_CONFIG_HOME: join(dir, 'xdg'),
      CWD: join(dir, 'elsewhere'),
    })
    expect(xdg.code).toBe(0)
    expect(xdg.stdout).toMatch(new RegExp(`^source\\s+${join(dir, 'xdg', 'allthrive', 'config.json')}$`, 'm'))
    const chosen = await cli(['config', 'show', '-e', 'ops'], {
      XDG_CONFIG_HOME: join(dir, 'xdg'),
      ALLTHRIVE_CONFIG: join(dir, 'ops.json'),
    })
    expect(chosen.stdout).toMatch(/^environment\s+ops$/m)
    const flag = await cli(['config', 'show', '-e', 'laptop', '--config', join(dir, 'ops.json')], {
      XDG_CONFIG_HOME: join(dir, 'xdg'),
    })
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('Unknown environment "laptop"')
  })

  it('validate --only secrets loads the Secrets Manager client, not EC2, ELB or CloudFront', async () => {
    // The build's metafile says which sources and packages each output file (entry or chunk) holds.
    const meta = JSON.parse(readFileSync(join(root, 'dist', 'meta.json'), 'utf8')) as {
      outputs: Record<string, {inputs: Record<string, unknown>}>
    }
    const inputsOf = new Map(
      Object.entries(meta.outputs).map(([out, o]) => [resolve(root, out), Object.keys(o.inputs)] as const),
    )
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    /** The sources and packages a run of `validate --only <only>` loaded, one path a line. */
    const loaded = async (only: string): Promise<string> => {
      const log = join(mkdtempSync(join(tmpdir(), 'allthrive-imports-')), 'imports.log')
      const r = await cli(
        ['validate', '-e', 'staging', '--only', only, '--json'],
        {
          AWS_ENDPOINT_URL: endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_MAX_ATTEMPTS: '1',
          IMPORT_LOG: log,
        },
        ['--import', join(root, 'test', 'fixtures', 'record-imports.mjs')],
      )
      expect(r.code, r.stderr).toBe(2) // the endpoint refuses STS: nothing was checked
      const files = readFileSync(log, 'utf8')
        .split('\n')
        .filter((u) => u.startsWith('file:'))
        .map((u) => fileURLToPath(u))
      const outputs = files.filter((f) => inputsOf.has(f))
      expect(outputs.length, 'the run loads files of the bundle').toBeGreaterThan(0)
      return [...files, ...outputs.flatMap((f) => inputsOf.get(f)!)].join('\n')
    }

    const secrets = await loaded('secrets')
    expect(secrets).toContain('src/checks/secrets.ts')
    expect(secrets).toContain('@aws-sdk/client-secrets-manager/')
    for (const heavy of [
      '@aws-sdk/client-ec2/',
      '@aws-sdk/client-elastic-load-balancing-v2/',
      '@aws-sdk/client-cloudfront/',
      'src/checks/alb.ts',
    ]) {
      expect(secrets).not.toContain(heavy)
    }

    // The same reading sees SDK clients when a check does load them.
    const alb = await loaded('alb')
    expect(alb).toContain('src/checks/alb.ts')
    expect(alb).toContain('@aws-sdk/client-elastic-load-balancing-v2/')
  })

  it('bin/dev.js runs the TypeScript sources, not dist/ (README: run from the sources)', async () => {
    const r = await new Promise<{code: number; stderr: string}>((resolve) =>
      execFile(
        process.execPath,
        [join(root, 'bin', 'dev.js'), 'validate', '--only', 'no-such-check', '--debug'],
        {cwd: root, env: {...process.env, NO_COLOR: '1'}, timeout: 30_000},
        (error, _stdout, stderr) => resolve({code: error ? Number(error.code) : 0, stderr}),
      ),
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Unknown check "no-such-check"')
    expect(r.stderr).toMatch(/at selectChecks \(.*\/src\/checks\/index\.ts:\d+:\d+\)/)
    expect(r.stderr).not.toContain('/dist/')
  })

  it('requires node:http instead of importing it (its ES module view loads undici for the WebSocket getter)', () => {
    const files = readdirSync(join(root, 'dist'), {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.js'))
    expect(files.length).toBeGreaterThan(10)
    const importers = files.filter((f) =>
      /\bfrom\s*["'](node:)?http["']|import\(\s*["'](node:)?http["']\s*\)/.test(
        readFileSync(join(root, 'dist', f), 'utf8'),
      ),
    )
    expect(importers).toEqual([])
    expect(files.some((f) => readFileSync(join(root, 'dist', f), 'utf8').includes('require("node:http")'))).toBe(true)
  })

  it('bundles the SDK clients as tree-shaken ES modules: the EC2 client keeps only the shapes it uses', () => {
    const meta = JSON.parse(readFileSync(join(root, 'dist', 'meta.json'), 'utf8')) as {
      outputs: Record<string, {inputs: Record<string, {bytesInOutput: number}>}>
    }
    const bytes = (pattern: RegExp): number =>
      Object.values(meta.outputs)
        .flatMap((o) => Object.entries(o.inputs))
        .filter(([path]) => pattern.test(path))
        .reduce((n, [, i]) => n + i.bytesInOutput, 0)
    // ES modules (dist-es) rather than the CommonJS build, which cannot be tree-shaken.
    expect(bytes(/@aws-sdk\/client-ec2\/dist-cjs\//)).toBe(0)
    // The EC2 schemas are 1.3 MB in the package; the shapes of the operations the CLI calls are a few dozen KB.
    const ec2Schemas = bytes(/@aws-sdk\/client-ec2\/dist-es\/schemas\//)
    expect(ec2Schemas).toBeGreaterThan(0)
    expect(ec2Schemas).toBeLessThan(200_000)
  })
})
