import type {EnvConfig} from '../config.js'
import type {Memo} from '../util/concurrency.js'
import type {AwsClients} from './clients.js'

/**
 * What every reader of the live account needs, built once per command run and handed to
 * checks and commands alike: the environment, the clients, the clock, the cancel signal and
 * the run-wide memo (each AWS fact is read once per run, whoever asks first).
 */
export interface RunContext {
  env: EnvConfig
  aws: AwsClients
  /** The clock's "now" for this run (expiry, time windows). */
  now: Date
  /** Aborts every call of the run (a check's budget, Ctrl+C). */
  signal?: AbortSignal
  /** Run-wide memo: the first caller's promise is shared, so each read happens once per run. */
  memo: Memo
  /** The region the clients use. */
  region: string
  /** The caller's AWS account, when known. */
  accountId?: string
}
