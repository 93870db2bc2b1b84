import {Command, Errors, Flags, Interfaces} from '@oclif/core'

import {type AwsClients, createAwsClients} from './aws/clients.js'
import {classifyAwsError, credentialsUserError, describeAwsError, hintFor, identityBoundMs, identityTimeoutError} from './aws/errors.js'
import {assertValidRegion} from './aws/regions.js'
import {DEFAULT_ENVIRONMENT, type EnvConfig, loadConfigFile, resolveEnvironment} from './config.js'
import {EXIT, isUserError, UserError} from './errors.js'
import {now} from './util/clock.js'
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
      env: 'ENVIRONMENT',
      default: DEFAULT_ENVIRONMENT,
      helpGroup: 'GLOBAL',
    }),
    profile: Flags.string({summary: 'AWS named profile.', env: 'AWS_PROFILE', helpGroup: 'GLOBAL'}),
    region: Flags.string({
      summary: 'AWS region. Default: the environment\'s region in config, then AWS_REGION, then the profile\'s.',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({char: 'v', summary: 'Show more detail (details of passing checks).', env: 'ALLTHRIVE_VERBOSE', helpGroup: 'GLOBAL'}),
    debug: Flags.boolean({summary: 'Log each AWS call to stderr and show stack traces on errors.', env: 'ALLTHRIVE_DEBUG', helpGroup: 'GLOBAL'}),
  }

  protected flags!: FlagsOf<T>
  protected args!: ArgsOf<T>
  private _config?: ReturnType<typeof loadConfigFile>
  private _env?: EnvConfig
  private _aws?: AwsClients

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

  /** allthrive.config.json of the working directory (empty when there is none), read once. */
  protected get configFile(): ReturnType<typeof loadConfigFile> {
    this._config ??= loadConfigFile()
    return this._config
  }

  /** The resolved environment model (naming convention + allthrive.config.json). */
  protected get envConfig(): EnvConfig {
    this._env ??= resolveEnvironment(this.flags.environment, this.configFile)
    return this._env
  }

  /** The region to use: --region, then the environment's config, then AWS_REGION; undefined = the profile's. */
  protected resolveRegion(): string | undefined {
    const candidates: [string | undefined, string][] = [
      [this.flags.region, '--region'],
      [this.envConfig.region, `the "${this.envConfig.name}" environment in allthrive.config.json`],
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

  /** Who and where we are: resolves the region and proves the credentials with STS. */
  protected async identity(): Promise<{accountId?: string; arn?: string; region: string}> {
    const {GetCallerIdentityCommand, STSClient} = await import('@aws-sdk/client-sts')
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
    const user = isUserError(err) ? err : (credentialsUserError(err, {profile: this.flags?.profile}) ?? this.awsUserError(err))
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
    return new UserError(describeAwsError(err), {exit: EXIT.FAILED, code: `AWS_${kind.toUpperCase().replaceAll('-', '_')}`, suggestions: hint ? [hint] : [], cause: err})
  }

  private toCliError(e: UserError): Errors.CLIError {
    // Messages quote AWS (reasons, names): control characters are shown, never sent to the terminal.
    const cli = new Errors.CLIError(safeText(e.message), {exit: e.exit, suggestions: e.suggestions.map((s) => safeText(s)), code: e.code})
    process.exitCode = e.exit
    return cli
  }
}
