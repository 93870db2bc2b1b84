import {Command, Errors, Flags, Interfaces} from '@oclif/core'

import {type AwsClients, createAwsClients} from './aws/clients.js'
import {
  classifyAwsError,
  credentialsUserError,
  describeAwsError,
  hintFor,
  identityBoundMs,
  identityTimeoutError,
} from './aws/errors.js'
import {assertValidRegion} from './aws/regions.js'
import {GetCallerIdentityCommand, STSClient} from './aws/sdk/sts.js'
import type {RunContext} from './aws/context.js'
import {DEFAULT_ENVIRONMENT, type EnvConfig, knownEnvironments, loadConfigFile, resolveEnvironment} from './config.js'
import {EXIT, isUserError, UserError} from './errors.js'
import type {Discovery} from './resources/discovery.js'
import {now} from './util/clock.js'
import {createMemo} from './util/concurrency.js'
import {safeText} from './util/safe-text.js'

export type FlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type ArgsOf<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * Base of every command: global flags, the environment model, the AWS client
 * factory (built on first use), and one place that turns errors into messages
 * with a fix and a documented exit code.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    environment: Flags.string({
      char: 'e',
      summary: 'Environment to act on (production, staging, or one from allthrive.config.json).',
      env: 'ALLTHRIVE_ENVIRONMENT',
      default: DEFAULT_ENVIRONMENT,
      helpGroup: 'GLOBAL',
    }),
    config: Flags.string({
      summary: 'Configuration file. Default: ./allthrive.config.json, then $XDG_CONFIG_HOME/allthrive/config.json.',
      env: 'ALLTHRIVE_CONFIG',
      helpValue: '<file>',
      helpGroup: 'GLOBAL',
    }),
    profile: Flags.string({summary: 'AWS named profile.', env: 'AWS_PROFILE', helpGroup: 'GLOBAL'}),
    region: Flags.string({
      summary: "AWS region. Default: the environment's region in config, then AWS_REGION, then the profile's.",
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({
      char: 'v',
      summary: 'Show more detail (details of passing checks).',
      env: 'ALLTHRIVE_VERBOSE',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({
      summary: 'Log each AWS call (and, in validate, the critical path of calls) to stderr; stack traces on errors.',
      env: 'ALLTHRIVE_DEBUG',
      helpGroup: 'GLOBAL',
    }),
  }

  protected flags!: FlagsOf<T>
  protected args!: ArgsOf<T>
  private _config?: ReturnType<typeof loadConfigFile>
  private _env?: EnvConfig
  private _aws?: AwsClients
  /** The environment was not configured but found in the account (a cluster by name or tags). */
  private _foundInAccount = false
  private _envKnown?: Promise<void>
  private _identity?: Promise<{accountId?: string; arn?: string; region: string}>
  private _runContext?: Promise<RunContext & {discovery?: Discovery}>
  private _baseContext?: Promise<RunContext>

  public override async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse({
      args: this.ctor.args,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      flags: this.ctor.flags,
      strict: this.ctor.strict,
    })
    this.flags = flags as FlagsOf<T>
    this.args = args as ArgsOf<T>
  }

  /** The configuration file (--config, ./allthrive.config.json, the user's; empty when none), read once. */
  protected get configFile(): ReturnType<typeof loadConfigFile> {
    this._config ??= loadConfigFile({file: this.flags.config})
    return this._config
  }

  /** The resolved environment model (naming convention + allthrive.config.json). */
  protected get envConfig(): EnvConfig {
    this._env ??= resolveEnvironment(this.flags.environment, this.configFile, {allowUnknown: this._foundInAccount})
    return this._env
  }

  /**
   * The run context, built once per run and handed to checks and commands alike: the environment
   * resolved against the live account (cluster, every service, containers, log groups), the
   * clients, the clock, the run-wide memo. Proves the credentials first.
   */
  /** The discovery reader (and the ECS client it imports), loaded on first use: a command that needs no ECS loads neither. */
  private static discovery = (): Promise<typeof import('./resources/discovery.js')> =>
    import('./resources/discovery.js')

  protected runContext(opts: {discover?: boolean} = {}): Promise<RunContext & {discovery?: Discovery}> {
    this._runContext ??= this.buildRunContext(opts.discover ?? true)
    return this._runContext
  }

  /**
   * The run context of a command that acts in the cluster (exec, migrate, logs --previous): when the
   * account has no cluster of the environment, an error naming what was searched (exit 1).
   */
  protected async clusterContext(): Promise<RunContext & {discovery?: Discovery}> {
    const run = await this.runContext()
    const origin = run.env.clusterOrigin
    if (origin && !origin.found) {
      const {clusterNotFoundText} = await BaseCommand.discovery()
      throw new UserError(clusterNotFoundText(run.env.name, run.region, origin.searched), {
        exit: EXIT.FAILED,
        code: 'CLUSTER_NOT_FOUND',
        suggestions: [
          'Check --environment, --region and --profile; list the environments the account has with: ' +
            `allthrive environments --region ${run.region}`,
          `Or set "cluster" under environments.${run.env.name} in allthrive.config.json.`,
        ],
      })
    }

    return run
  }

  /** `discover: false` when nothing of the run reads ECS or the logs (validate --only secrets): no discovery call. */
  private async buildRunContext(discover: boolean): Promise<RunContext & {discovery?: Discovery}> {
    const base = await this.baseContext({needsRegion: discover})
    // The caller's account when a command asked who we are (validate), awaited only after discovery:
    // discovery's calls run while STS answers.
    const account = async (): Promise<{accountId?: string}> => {
      const accountId = this._identity ? (await this._identity).accountId : undefined
      return accountId ? {accountId} : {}
    }
    if (!discover) return {...base, ...(await account())}
    const configuredCluster = this.configFile.config.environments?.[this.flags.environment]?.cluster
    const {discoverEnvironment} = await BaseCommand.discovery()
    const {env, discovery} = await discoverEnvironment(base, {configuredCluster})
    this._env = env
    return {...base, ...(await account()), env, discovery}
  }

  /**
   * The run context before discovery, once per run: the environment as configured (the naming convention and the
   * configuration file), the clients, the clock, the run's memo (the one discovery and every check share) and the
   * region. `validate` starts the checks that read nothing discovered on it. Without `needsRegion` (CloudFront alone,
   * cache clear) a region that cannot be resolved is left empty. Built once: the first caller's `needsRegion` holds
   * for the run (runContext calls it first, with `discover`).
   */
  protected baseContext(opts: {needsRegion?: boolean} = {}): Promise<RunContext> {
    this._baseContext ??= (async () => {
      const memo = createMemo()
      await this.knownEnvironment(memo)
      const region = opts.needsRegion === false ? await this.aws.region().catch(() => '') : await this.aws.region()
      return {env: this.envConfig, aws: this.aws, now: this.now(), memo, region}
    })()
    return this._baseContext
  }

  /**
   * Makes sure --environment names an environment: built in, configured, or found in the account
   * (then the naming convention applies). Once per run; commands call it before anything else.
   */
  protected knownEnvironment(memo = createMemo()): Promise<void> {
    const name = this.flags.environment
    const known = knownEnvironments(this.configFile.config).includes(name)
    this._envKnown ??= known ? Promise.resolve() : this.findEnvironmentInAccount(name, memo)
    return this._envKnown
  }

  /** An environment neither built in nor configured must exist in the account; else the error lists those that do. */
  private async findEnvironmentInAccount(name: string, memo: ReturnType<typeof createMemo>): Promise<void> {
    const known = knownEnvironments(this.configFile.config)
    let found: string[] = []
    let why: string
    try {
      await this.identity()
      const {clusterConventions, clusterNotFoundText, listEnvironments} = await BaseCommand.discovery()
      const all = await listEnvironments({aws: this.aws, memo}, this.configFile.config)
      if (all.some((e) => e.name === name && e.foundBy.some((b) => b === 'cluster name' || b === 'tags'))) {
        this._foundInAccount = true
        return
      }

      found = all.map((e) => e.name).filter((n) => !known.includes(n))
      const searched = [...clusterConventions(name), `a cluster tagged Project=allthrive and Environment=${name}`]
      const text = clusterNotFoundText(name, await this.aws.region(), searched)
      why = ` ${text.replace(/^No ECS cluster of environment/, 'No ECS cluster of')}`
    } catch (error) {
      const reason = isUserError(error) ? error.message : describeAwsError(error)
      why = ` The account could not be searched for it (${reason}).`
    }

    // The same error as without an account, listing what the account has too.
    resolveEnvironment(name, this.configFile, {alsoKnown: found, note: why})
  }

  /** The region to use: --region, then the environment's config, then AWS_REGION; undefined = the profile's. */
  protected resolveRegion(): string | undefined {
    const name = this.flags.environment
    const configured = knownEnvironments(this.configFile.config).includes(name) || this._foundInAccount
    const candidates: [string | undefined, string][] = [
      [this.flags.region, '--region'],
      [
        configured ? this.envConfig.region : this.configFile.config.defaults?.region,
        `the "${name}" environment in allthrive.config.json`,
      ],
      [process.env.AWS_REGION, 'AWS_REGION'],
    ]
    const found = candidates.find(([value]) => value)
    if (!found) return undefined
    assertValidRegion(found[0]!, found[1])
    return found[0]
  }

  /** AWS clients for this command, built on first use. */
  protected get aws(): AwsClients {
    this._aws ??= createAwsClients({
      region: this.resolveRegion(),
      profile: this.flags.profile,
      debug: this.flags.debug ? (line) => this.logToStderr(`[debug] ${line}`) : undefined,
    })
    return this._aws
  }

  /** The wall clock's "now" (injectable in tests: util/clock). */
  protected now(): Date {
    return now()
  }

  /** Who and where we are: resolves the region and proves the credentials with STS (once per run). */
  protected identity(): Promise<{accountId?: string; arn?: string; region: string}> {
    this._identity ??= this.callerIdentity()
    return this._identity
  }

  private async callerIdentity(): Promise<{accountId?: string; arn?: string; region: string}> {
    // Bounded: a stuck endpoint must not hold every command before its first check (retries included).
    const bound = identityBoundMs(this.aws.timeouts)
    const signal = AbortSignal.timeout(bound)
    try {
      const [region, id] = await Promise.all([
        this.aws.region(),
        this.aws.client(STSClient).send(new GetCallerIdentityCommand({}), {abortSignal: signal}),
      ])
      return {accountId: id.Account, arn: id.Arn, region}
    } catch (error) {
      if (signal.aborted) throw identityTimeoutError(error, bound)
      throw credentialsUserError(error, {profile: this.flags.profile}) ?? error
    }
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (this.flags?.debug && err.stack) this.logToStderr(err.stack)
    if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) return super.catch(err)
    const user = isUserError(err)
      ? err
      : (credentialsUserError(err, {profile: this.flags?.profile}) ?? this.awsUserError(err))
    if (user) return super.catch(this.toCliError(user))
    const bug = new UserError(`Unexpected error: ${describeAwsError(err)}`, {
      exit: EXIT.FAILED,
      code: 'INTERNAL_ERROR',
      suggestions: ['Run again with --debug for the stack trace, and report it if it persists.'],
    })
    return super.catch(this.toCliError(bug))
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this._aws?.destroy()
    return super.finally(err)
  }

  /** An AWS error a command did not handle (AccessDenied, throttling, a timeout): exit 1 with what to do. */
  private awsUserError(err: unknown): UserError | undefined {
    const kind = classifyAwsError(err)
    if (kind === 'other') return undefined
    const hint = hintFor(err, {profile: this.flags?.profile})
    return new UserError(describeAwsError(err), {
      exit: EXIT.FAILED,
      code: `AWS_${kind.toUpperCase().replaceAll('-', '_')}`,
      suggestions: hint ? [hint] : [],
      cause: err,
    })
  }

  private toCliError(e: UserError): Errors.CLIError {
    // Messages quote AWS (reasons, names): control characters are shown, never sent to the terminal.
    const cli = new Errors.CLIError(safeText(e.message), {
      exit: e.exit,
      suggestions: e.suggestions.map((s) => safeText(s)),
      code: e.code,
    })
    process.exitCode = e.exit
    return cli
  }
}
