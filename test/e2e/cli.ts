import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs the built CLI in `workDir` (a directory holding only an allthrive.config.json that points healthUrl at
 * loopback) against the emulator at `endpoint` only: no profile files, no instance metadata, no colour, none of
 * the developer's AWS or allthrive variables. `env` adds or overrides variables.
 */
export function runCli(endpoint: string, workDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {...process.env}
  for (const name of [
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_SESSION_TOKEN',
    'ENVIRONMENT',
    'ALLTHRIVE_DEBUG',
    'ALLTHRIVE_VERBOSE',
  ])
    delete childEnv[name]
  Object.assign(childEnv, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // No profile files: the run must not depend on the developer's ~/.aws.
    AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...env,
  })
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/run.js'), ...args],
      {cwd: workDir, env: childEnv, timeout: 60_000},
      (error, stdout, stderr) => {
        const code = error ? ((error as {code?: unknown}).code as number | null) : 0
        resolve({code: typeof code === 'number' ? code : null, stdout, stderr})
      },
    )
  })
}
