import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {runBuiltCli} from './helpers/cli.js'

/**
 * The built CLI as a user runs it: a child process, real credential chain, real
 * error printing. Needs `npm run build` (scripts/test.sh and `make test` do it).
 */

const cli = runBuiltCli

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

describe('allthrive (built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(join(import.meta.dirname, '..', 'dist', 'commands', 'validate.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (make test does it) before these tests.')
    }
  })

  it('prints its version and help', async () => {
    const version = await cli(['--version'])
    expect(version.stdout).toMatch(/^allthrive\/\d+\.\d+\.\d+ /)
    const help = await cli(['--help'])
    // The column widens with the longest command (environments).
    expect(help.stdout).toMatch(/^ {2}validate +Run health checks against an environment$/m)
    expect(help.code).toBe(0)
  })

  it('documents exit codes in validate --help', async () => {
    const {stdout} = await cli(['validate', '--help'])
    expect(stdout).toContain('0  every check passed')
    expect(stdout).toContain('2  usage, configuration or credentials error')
  })

  it('exits 2 with a one-paragraph error and no stack trace on an unknown environment', async () => {
    const r = await cli(['validate', '-e', 'prodution'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Unknown environment "prodution"')
    expect(r.stderr).toContain('Did you mean --environment production?')
    expect(r.stderr).not.toMatch(STACK_LINE)
  })

  it('exits 2 when there are no credentials, without SDK noise on stderr', async () => {
    const r = await cli(['validate', '-e', 'staging'], {AWS_REGION: 'us-east-1'})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No AWS credentials were found.')
    expect(r.stderr).toContain('aws configure')
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(r.stderr).not.toContain('NodeVersionSupportWarning')
  })

  it('shows the stack trace with --debug, naming the TypeScript sources (source maps of the bundle)', async () => {
    const r = await cli(['validate', '-e', 'staging', '--debug'], {AWS_REGION: 'us-east-1'})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(STACK_LINE)
    expect(r.stderr).toMatch(/\bsrc\/base-command\.ts:\d+:\d+/)
  })

  it('prints the sso login command when the SSO session of the profile is gone', async () => {
    const home = mkdtempSync(join(tmpdir(), 'allthrive-sso-'))
    const config = join(home, 'config')
    writeFileSync(
      config,
      [
        '[profile allthrive-prod]',
        'sso_start_url = https://allthrive.awsapps.com/start',
        'sso_region = us-east-1',
        'sso_account_id = 123456789012',
        'sso_role_name = ReadOnly',
        'region = us-east-1',
        '',
      ].join('\n'),
    )
    const r = await cli(['validate', '-e', 'production', '--profile', 'allthrive-prod'], {AWS_CONFIG_FILE: config})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('The AWS SSO session of profile allthrive-prod has expired or is invalid.')
    expect(r.stderr).toContain('aws sso login --profile allthrive-prod')
  })

  it('exits 2 when no region is set anywhere', async () => {
    const r = await cli(['validate', '-e', 'staging'], {AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No AWS region is set.')
    expect(r.stderr).toContain('--region')
  })

  it('exits 2 when AWS cannot be reached, naming the endpoint problem', async () => {
    const r = await cli(['validate', '-e', 'staging'], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('AWS could not be reached')
    expect(r.stderr).toContain('ECONNREFUSED')
  })

  it('prints the resolved model without AWS', async () => {
    const r = await cli(['config', 'show', '-e', 'staging', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({name: 'staging', cluster: 'staging-allthrive-cluster'})
  })
})
